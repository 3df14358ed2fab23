import Foundation
import RoPEServerTestSupport
import Testing

/// .npy request and response bodies give the same float32 numbers as JSON, bit for bit; each test runs through the
/// router in process and over a socket (only a server's request body can be rotated where it landed).
@Suite("NPY over HTTP")
struct NPYHTTPTests {
    private static func randomTensor(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 * Float(state % 7 == 0 ? 1000 : 1)
        }
    }

    @Test("/rotate: JSON in, JSON out == .npy in, .npy out == float64 .npy in, bit for bit",
          arguments: Transport.allCases)
    func rotateBitwise(transport: Transport) throws {
        let api = try transport.start()
        defer { api.stop() }
        let shape = [2, 3, 5, 16]
        let input = Self.randomTensor(shape.reduce(1, *), seed: 7)
        let query = "layout=interleaved&offset=1000&rope_type=yarn&factor=4&original_max_position_embeddings=64"
            + "&xpos_role=key&xpos_scale_base=256"
        var nested: Any = input.map { Double($0) }
        for axis in shape.reversed().dropLast() {
            let flat = nested as! [Any]
            nested = stride(from: 0, to: flat.count, by: axis).map { Array(flat[$0..<($0 + axis)]) }
        }
        let json: [String: Any] = ["embeddings": nested, "layout": "interleaved", "offset": 1000,
                                   "rope_scaling": ["rope_type": "yarn", "factor": 4,
                                                    "original_max_position_embeddings": 64],
                                   "xpos": ["role": "key", "scale_base": 256]]
        let fromJSON = try api.request("POST", "/rotate", json: json)
        #expect(fromJSON.status == 200)
        let jsonValues = try NPYBodies.literals(of: "embeddings", in: fromJSON.bodyText)

        let fromNPY = try api.request("POST", "/rotate?" + query, body: NPYBodies.npy(input, shape: shape),
                                         contentType: "application/x-npy", headers: ["Accept": "application/x-npy"])
        #expect(fromNPY.status == 200)
        #expect(fromNPY.headers["content-type"] == "application/x-npy")
        #expect(fromNPY.headers["x-attention-scaling"] != nil)
        let npy = try NPYBodies.values(ofNPY: fromNPY.body)
        #expect(npy.shape == shape)
        #expect(npy.values.map(\.bitPattern) == jsonValues.map(\.bitPattern))

        let fromFloat64 = try api.request("POST", "/rotate?" + query,
                                          body: NPYBodies.npy(input, shape: shape, descr: "<f8"),
                                             contentType: "application/x-npy", headers: ["Accept": "application/x-npy"])
        #expect(try NPYBodies.values(ofNPY: fromFloat64.body).values.map(\.bitPattern) == jsonValues.map(\.bitPattern))
    }

    @Test("/rotate .npy: a body rotated where it landed answers the same bytes as one that had to be copied",
          arguments: Transport.allCases)
    func rotateInPlaceMatchesCopy(transport: Transport) throws {
        let api = try transport.start()
        defer { api.stop() }
        let shape = [3, 17, 24]
        let input = Self.randomTensor(shape.reduce(1, *), seed: 11)
        let query = "/rotate?rope_type=llama3&factor=8&low_freq_factor=1&high_freq_factor=4"
            + "&original_max_position_embeddings=8&offset=5"
        let accept = ["Accept": "application/x-npy"]
        // numpy's own layout (64-byte header, the server's length): rotated in the received memory.
        let inPlace = try api.request("POST", query, body: NPYBodies.npy(input, shape: shape),
                                      contentType: "application/x-npy", headers: accept)
        // A 16-byte-aligned header (older numpy) and float64 data: copied into a new buffer first.
        let shortHeader = try api.request("POST", query, body: NPYBodies.npy(input, shape: shape, headerAlignment: 16),
                                             contentType: "application/x-npy", headers: accept)
        let float64 = try api.request("POST", query,
                                      body: NPYBodies.npy(input, shape: shape, descr: "<f8", headerAlignment: 16),
                                         contentType: "application/x-npy", headers: accept)
        #expect(NPYBodies.npy(input, shape: shape, headerAlignment: 16).count % 64 != NPYBodies.npy(input,
            shape: shape).count % 64)
        for response in [inPlace, shortHeader, float64] {
            #expect(response.status == 200, "\(response.bodyText)")
            #expect(response.headers["content-type"] == "application/x-npy")
        }
        #expect(inPlace.body == shortHeader.body)
        #expect(inPlace.body == float64.body)
        let rotated = try NPYBodies.values(ofNPY: inPlace.body)
        #expect(rotated.shape == shape)
        #expect(rotated.values != input)
        // The same .npy body answered as JSON carries the same numbers.
        let asJSON = try api.request("POST", query, body: NPYBodies.npy(input, shape: shape),
                                     contentType: "application/x-npy")
        #expect(asJSON.headers["content-type"] == "application/json")
        #expect(try NPYBodies.literals(of: "embeddings",
                                       in: asJSON.bodyText).map(\.bitPattern) == rotated.values.map(\.bitPattern))
    }

    @Test("/rotate .npy: NaN and infinities are found at their element in either layout, overflow is a 422",
          arguments: Transport.allCases, [64, 16])
    func rotateInPlaceErrors(transport: Transport, headerAlignment: Int) throws {
        let api = try transport.start()
        defer { api.stop() }
        var values = [Float](repeating: 0.5, count: 4 * 40)
        values[133] = -.infinity
        let infinite = try api.request("POST", "/rotate",
                                       body: NPYBodies.npy(values, shape: [4, 40], headerAlignment: headerAlignment),
                                          contentType: "application/x-npy")
        #expect(infinite.status == 422)
        #expect((infinite.json?["error"] as? String)?.contains("element 133 is infinite") == true,
                "\(infinite.bodyText)")
        values[133] = .nan
        values[7] = .nan
        let nan = try api.request("POST", "/rotate",
                                  body: NPYBodies.npy(values, shape: [4, 40], headerAlignment: headerAlignment),
                                     contentType: "application/x-npy")
        #expect((nan.json?["error"] as? String)?.contains("element 7 is NaN") == true, "\(nan.bodyText)")
        // Finite inputs whose rotation leaves float32 (|x cos - y sin| up to sqrt(2) max(|x|, |y|)).
        let huge = [Float](repeating: .greatestFiniteMagnitude, count: 2 * 8)
        let overflow = try api.request("POST", "/rotate",
                                       body: NPYBodies.npy(huge, shape: [2, 8], headerAlignment: headerAlignment),
                                       contentType: "application/x-npy")
        #expect(overflow.status == 422)
        #expect((overflow.json?["error"] as? String)?.contains("overflow float32") == true, "\(overflow.bodyText)")
        #expect(try api.request("GET", "/health").status == 200)
    }

    @Test("/attention: two arrays in one .npy body, same scores as JSON (masked = -inf)", arguments: Transport.allCases)
    func attention(transport: Transport) throws {
        let api = try transport.start()
        defer { api.stop() }
        let queries = Self.randomTensor(2 * 3 * 8, seed: 1), keys = Self.randomTensor(2 * 4 * 8, seed: 2)
        func nest(_ values: [Float], _ rows: Int, _ length: Int) -> [[[Double]]] {
            (0..<rows).map { row in
                (0..<length).map { token in (0..<8).map { Double(values[(row * length + token) * 8 + $0]) } }
            }
        }
        let json = try api.request("POST", "/attention", json: [
            "queries": nest(queries, 2, 3), "keys": nest(keys, 2, 4), "causal": true,
            "query_positions": [1, 2, 3], "key_positions": [0, 1, 2, 3]])
        #expect(json.status == 200)
        let body = NPYBodies.npy(queries, shape: [2, 3, 8]) + NPYBodies.npy(keys, shape: [2, 4, 8])
        let npy = try api.request("POST", "/attention?causal=true&query_positions=1,2,3&key_positions=0,1,2,3",
                                  body: body, contentType: "application/x-npy",
                                  headers: ["Accept": "application/x-npy"])
        #expect(npy.status == 200)
        let scores = try NPYBodies.values(ofNPY: npy.body)
        #expect(scores.shape == [2, 3, 4])
        let jsonScores = try NPYBodies.literals(of: "scores", in: json.bodyText)
        #expect(scores.values.map(\.bitPattern) == jsonScores.map(\.bitPattern))
        #expect(scores.values.contains(-.infinity))
    }

    @Test("/frequencies: cos and sin as one [2, seq_len, r/2] .npy", arguments: Transport.allCases)
    func frequencies(transport: Transport) throws {
        let api = try transport.start()
        defer { api.stop() }
        let query = "/frequencies?dim=16&seq_len=5&rope_type=yarn&factor=4&original_max_position_embeddings=64"
        let json = try api.request("GET", query)
        let npy = try api.request("GET", query, headers: ["Accept": "application/x-npy"])
        #expect(npy.status == 200)
        #expect(npy.headers["x-rotary-dim"] == "16")
        let table = try NPYBodies.values(ofNPY: npy.body)
        #expect(table.shape == [2, 5, 8])
        let cos = try NPYBodies.literals(of: "cos", in: json.bodyText)
        let sin = try NPYBodies.literals(of: "sin", in: json.bodyText)
        #expect(table.values.map(\.bitPattern) == (cos + sin).map(\.bitPattern))
    }

    @Test("bad .npy bodies get 400, 413, 415 or 422 with a JSON error", arguments: Transport.allCases, [
        ("big endian", NPYBodies.npy([1, 2], shape: [1, 2], descr: ">f4"), 415),
        ("float16", NPYBodies.npy([1, 2], shape: [1, 2], descr: "<f2"), 415),
        ("Fortran order", NPYBodies.npy([1, 2, 3, 4], shape: [2, 2], fortran: true), 415),
        ("truncated data", NPYBodies.npy([1, 2, 3, 4], shape: [2, 2], dropLast: 3), 400),
        ("shape larger than the data", NPYBodies.npy([1, 2], shape: [2, 2]), 400),
        ("not .npy at all", Array("{\"embeddings\": [[1, 2]]}".utf8), 400),
        ("NaN", NPYBodies.npy([.nan, 2], shape: [1, 2]), 422),
        ("odd head dimension", NPYBodies.npy([1, 2, 3], shape: [1, 3]), 422),
    ])
    func badNPY(transport: Transport, bad: (name: String, body: [UInt8], status: Int)) throws {
        let (name, body, status) = bad
        let api = try transport.start()
        defer { api.stop() }
        let response = try api.request("POST", "/rotate", body: body, contentType: "application/x-npy")
        #expect(response.status == status, "\(name): \(response.bodyText)")
        #expect(response.json?["error"] is String && response.json?["error_type"] is String, "\(name)")
    }
}
