import Foundation
import Testing
import RoPEServerTestSupport

/// 3-axis M-RoPE positions in .npy bodies: an integer array after the tensor(s) gives the numbers JSON gives.
@Suite("M-RoPE positions in .npy bodies")
struct MRoPENPYHTTPTests {
    /// An int32 or int64 .npy v1.0 array.
    static func integerNPY(_ values: [Int], shape: [Int], descr: String = "<i8") -> [UInt8] {
        var bytes = NPYBodies.npy([], shape: shape, descr: descr)
        for value in values {
            if descr == "<i4" {
                withUnsafeBytes(of: Int32(value).littleEndian) { bytes += $0 }
            } else {
                withUnsafeBytes(of: Int64(value).littleEndian) { bytes += $0 }
            }
        }
        return bytes
    }

    static let section = "%7B%22mrope_section%22:[2,3,3]%7D"  // {"mrope_section":[2,3,3]}, r/2 = 8

    /// `count` values cycling through `modulo` steps in [-1, 1).
    static func floats(_ count: Int, modulo: Int) -> [Float] {
        (0..<count).map { index -> Float in
            let step: Int = index % modulo
            return Float(step) / Float(modulo) * 2 - 1
        }
    }

    /// Row-major `values` as nested JSON arrays of `shape` [rows, s, d].
    static func nested(_ values: [Float], rows: Int, s: Int, d: Int) -> [[[Double]]] {
        (0..<rows).map { row -> [[Double]] in
            (0..<s).map { token -> [Double] in
                let start: Int = (row * s + token) * d
                return values[start..<(start + d)].map { Double($0) }
            }
        }
    }

    @Test("/rotate: embeddings then [3, s] or [3, rows, s] int32/int64 positions equal the JSON answer",
          arguments: ["<i4", "<i8"])
    func rotate(descr: String) throws {
        let values = Self.floats(96, modulo: 11)
        let shared = [[0, 1, 1], [0, 2, 3], [0, 3, 1]]
        let perRow = [[[0, 1, 1], [5, 6, 7]], [[0, 2, 3], [5, 5, 9]], [[0, 3, 1], [5, 8, 5]]]
        let api = RouterTransport()
        let sharedFlat: [Int] = shared.flatMap { $0 }
        let perRowFlat: [Int] = perRow.flatMap { $0.flatMap { $0 } }
        for (positions, shape) in [(sharedFlat, [3, 3]), (perRowFlat, [3, 2, 3])] {
            let body = NPYBodies.npy(values, shape: [2, 3, 16]) + Self.integerNPY(positions, shape: shape, descr: descr)
            let npy = api.request("POST", "/rotate?rope_parameters=\(Self.section)&offset=4", body: body,
                                         contentType: "application/x-npy", headers: ["Accept": "application/x-npy"])
            #expect(npy.status == 200, "\(npy.bodyText.prefix(300))")
            let nested: Any = shape == [3, 3] ? shared : perRow
            let json = try api.request("POST", "/rotate", json: [
                "embeddings": Self.nested(values, rows: 2, s: 3, d: 16),
                "mrope_positions": nested, "rope_parameters": ["mrope_section": [2, 3, 3]], "offset": 4])
            #expect(json.status == 200, "\(json.bodyText.prefix(300))")
            let decoded = try NPYBodies.values(ofNPY: npy.body)
            #expect(decoded.shape == [2, 3, 16])
            #expect(decoded.values == (try NPYBodies.literals(of: "embeddings", in: json.bodyText)))
            // And the positions matter: the plain sequence 0, 1, 2 gives other numbers.
            let plain = api.request("POST", "/rotate?rope_parameters=\(Self.section)&offset=4",
                                           body: NPYBodies.npy(values, shape: [2, 3, 16]),
                                           contentType: "application/x-npy", headers: ["Accept": "application/x-npy"])
            #expect(try NPYBodies.values(ofNPY: plain.body).values != decoded.values)
        }
    }

    @Test("/rotate: 3-axis positions as JSON text in the query string equal those in the body")
    func rotateQueryString() throws {
        let values = Self.floats(48, modulo: 7)
        let api = RouterTransport()
        let inBody = try api.request(
            "POST", "/rotate?rope_parameters=\(Self.section)",
            body: NPYBodies.npy(values, shape: [3, 16]) + Self.integerNPY([0, 1, 1, 0, 2, 3, 0, 3, 1], shape: [3, 3]),
            contentType: "application/x-npy")
        let inQuery = try api.request(
            "POST", "/rotate?rope_parameters=\(Self.section)&mrope_positions=%5B%5B0,1,1%5D,%5B0,2,3%5D,%5B0,3,1%5D%5D",
            body: NPYBodies.npy(values, shape: [3, 16]), contentType: "application/x-npy")
        #expect(inBody.status == 200 && inBody.bodyText == inQuery.bodyText, "\(inQuery.bodyText.prefix(300))")
    }

    @Test("per-token plain positions travel as JSON text in a query string too")
    func perRowPositionsAsJSONText() throws {
        let values = Self.floats(96, modulo: 7)
        let api = RouterTransport()
        let npy = try api.request("POST", "/rotate?positions=%5B%5B0,1,2%5D,%5B7,8,90%5D%5D",
                                     body: NPYBodies.npy(values, shape: [2, 3, 16]), contentType: "application/x-npy")
        let json = try api.request("POST", "/rotate", json: [
            "embeddings": Self.nested(values, rows: 2, s: 3, d: 16), "positions": [[0, 1, 2], [7, 8, 90]]])
        #expect(npy.status == 200 && npy.bodyText == json.bodyText, "\(npy.bodyText.prefix(300))")
    }

    @Test("/attention: queries, keys, then query and key positions equal the JSON answer")
    func attention() throws {
        let queries = Self.floats(64, modulo: 5)
        let keys = Self.floats(96, modulo: 9)
        let queryPositions = [[4, 5], [4, 6], [4, 4]]
        let keyPositions = [[0, 1, 1], [0, 2, 3], [0, 3, 1]]
        let api = RouterTransport()
        let tensors: [UInt8] = NPYBodies.npy(queries, shape: [2, 2, 16]) + NPYBodies.npy(keys, shape: [2, 3, 16])
        let queryArray: [UInt8] = Self.integerNPY(queryPositions.flatMap { $0 }, shape: [3, 2])
        let body: [UInt8] = tensors + queryArray + Self.integerNPY(keyPositions.flatMap { $0 }, shape: [3, 3],
                                                                   descr: "<i4")
        let npy = try api.request("POST", "/attention?rope_parameters=\(Self.section)&causal=true", body: body,
                                     contentType: "application/x-npy")
        let json = try api.request("POST", "/attention", json: [
            "queries": Self.nested(queries, rows: 2, s: 2, d: 16), "keys": Self.nested(keys, rows: 2, s: 3, d: 16),
            "query_mrope_positions": queryPositions, "key_mrope_positions": keyPositions,
            "rope_parameters": ["mrope_section": [2, 3, 3]], "causal": true])
        #expect(npy.status == 200 && json.status == 200, "\(npy.bodyText.prefix(300)) \(json.bodyText.prefix(300))")
        #expect(npy.bodyText == json.bodyText)
        // One positions array without the other is refused.
        let three: [UInt8] = tensors + queryArray
        let refused = try api.request("POST", "/attention?rope_parameters=\(Self.section)", body: three,
                                         contentType: "application/x-npy")
        #expect(refused.status == 422 && refused.bodyText.contains("key_mrope_positions"), "\(refused.bodyText)")
    }

    @Test("bad position arrays in a .npy body are JSON errors naming mrope_positions")
    func badArrays() throws {
        let values = Self.floats(48, modulo: 13)
        let api = RouterTransport()
        let cases: [([UInt8], Int)] = [
            (NPYBodies.npy([0, 1, 2, 0, 1, 2, 0, 1, 2], shape: [3, 3]), 415),  // float positions
            (Self.integerNPY([0, 1, 2, 0, 1, 2], shape: [2, 3]), 422),  // two axes
            (Self.integerNPY([0, 1, 2, 0, 1, 2, 0, 1], shape: [3, 3]), 400),  // truncated
        ]
        for (array, status) in cases {
            let response = try api.request("POST", "/rotate?rope_parameters=\(Self.section)",
                                              body: NPYBodies.npy(values, shape: [3, 16]) + array,
                                              contentType: "application/x-npy")
            #expect(response.status == status, "\(response.bodyText)")
            #expect(response.bodyText.contains("mrope_positions"), "\(response.bodyText)")
        }
    }
}
