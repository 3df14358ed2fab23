import Foundation
import Testing

/// .npy request and response bodies over HTTP give the same float32 numbers as JSON, bit for bit.
@Suite("NPY over HTTP")
struct NPYHTTPTests {
    /// A .npy v1.0 file; `descr`, Fortran order and truncation are for the error cases.
    static func npy(_ values: [Float], shape: [Int], descr: String = "<f4", fortran: Bool = false,
                    dropLast: Int = 0, headerAlignment: Int = 64) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % headerAlignment != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        if descr == "<f8" {
            for value in values { withUnsafeBytes(of: Double(value).bitPattern.littleEndian) { bytes += $0 } }
        } else if descr == ">f4" {
            for value in values { withUnsafeBytes(of: value.bitPattern.bigEndian) { bytes += $0 } }
        } else {
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        }
        return Array(bytes.dropLast(dropLast))
    }

    /// Float32 values of a float32 .npy response.
    static func values(ofNPY bytes: [UInt8]) throws -> (shape: [Int], values: [Float]) {
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<f4'"))
        let shapeText = try #require(header.range(of: #"\(([0-9, ]*)\)"#, options: .regularExpression))
        let shape = header[shapeText].dropFirst().dropLast().split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let data = bytes[(10 + headerLength)...]
        let values = stride(from: data.startIndex, to: data.endIndex, by: 4).map { index in
            Float(bitPattern: UInt32(data[index]) | UInt32(data[index + 1]) << 8 | UInt32(data[index + 2]) << 16 | UInt32(data[index + 3]) << 24)
        }
        return (shape, values)
    }

    /// Number literals of a JSON array field, parsed as Float from their text (null -> -inf).
    static func literals(of field: String, in text: String) throws -> [Float] {
        let start = try #require(text.range(of: "\"\(field)\":"))
        var depth = 0
        var end = start.upperBound
        for index in text[start.upperBound...].indices {
            if text[index] == "[" { depth += 1 }
            if text[index] == "]" { depth -= 1; if depth == 0 { end = index; break } }
        }
        return text[start.upperBound..<end].split(whereSeparator: { "[], ".contains($0) }).map { literal in
            literal == "null" ? -Float.infinity : Float(String(literal))!
        }
    }

    private static func randomTensor(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 * Float(state % 7 == 0 ? 1000 : 1)
        }
    }

    @Test("/rotate: JSON in, JSON out == .npy in, .npy out == float64 .npy in, bit for bit")
    func rotateBitwise() throws {
        let server = try TestServer()
        defer { server.stop() }
        let shape = [2, 3, 5, 16]
        let input = Self.randomTensor(shape.reduce(1, *), seed: 7)
        let query = "layout=interleaved&offset=1000&rope_type=yarn&factor=4&original_max_position_embeddings=64&xpos_role=key&xpos_scale_base=256"
        var nested: Any = input.map { Double($0) }
        for axis in shape.reversed().dropLast() {
            let flat = nested as! [Any]
            nested = stride(from: 0, to: flat.count, by: axis).map { Array(flat[$0..<($0 + axis)]) }
        }
        let json: [String: Any] = ["embeddings": nested, "layout": "interleaved", "offset": 1000,
                                   "rope_scaling": ["rope_type": "yarn", "factor": 4, "original_max_position_embeddings": 64],
                                   "xpos": ["role": "key", "scale_base": 256]]
        let fromJSON = try server.request("POST", "/rotate", json: json)
        #expect(fromJSON.status == 200)
        let jsonValues = try Self.literals(of: "embeddings", in: fromJSON.bodyText)

        let fromNPY = try server.request("POST", "/rotate?" + query, body: Self.npy(input, shape: shape),
                                         contentType: "application/x-npy", headers: ["Accept": "application/x-npy"])
        #expect(fromNPY.status == 200)
        #expect(fromNPY.headers["content-type"] == "application/x-npy")
        #expect(fromNPY.headers["x-attention-scaling"] != nil)
        let npy = try Self.values(ofNPY: fromNPY.body)
        #expect(npy.shape == shape)
        #expect(npy.values.map(\.bitPattern) == jsonValues.map(\.bitPattern))

        let fromFloat64 = try server.request("POST", "/rotate?" + query, body: Self.npy(input, shape: shape, descr: "<f8"),
                                             contentType: "application/x-npy", headers: ["Accept": "application/x-npy"])
        #expect(try Self.values(ofNPY: fromFloat64.body).values.map(\.bitPattern) == jsonValues.map(\.bitPattern))
    }

    @Test("/rotate .npy: a body rotated where it landed answers the same bytes as one that had to be copied")
    func rotateInPlaceMatchesCopy() throws {
        let server = try TestServer()
        defer { server.stop() }
        let shape = [3, 17, 24]
        let input = Self.randomTensor(shape.reduce(1, *), seed: 11)
        let query = "/rotate?rope_type=llama3&factor=8&low_freq_factor=1&high_freq_factor=4&original_max_position_embeddings=8&offset=5"
        let accept = ["Accept": "application/x-npy"]
        // numpy's own layout (64-byte header, the server's length): rotated in the received memory.
        let inPlace = try server.request("POST", query, body: Self.npy(input, shape: shape), contentType: "application/x-npy", headers: accept)
        // A 16-byte-aligned header (older numpy) and float64 data: copied into a new buffer first.
        let shortHeader = try server.request("POST", query, body: Self.npy(input, shape: shape, headerAlignment: 16),
                                             contentType: "application/x-npy", headers: accept)
        let float64 = try server.request("POST", query, body: Self.npy(input, shape: shape, descr: "<f8", headerAlignment: 16),
                                         contentType: "application/x-npy", headers: accept)
        #expect(Self.npy(input, shape: shape, headerAlignment: 16).count % 64 != Self.npy(input, shape: shape).count % 64)
        for response in [inPlace, shortHeader, float64] {
            #expect(response.status == 200, "\(response.bodyText)")
            #expect(response.headers["content-type"] == "application/x-npy")
        }
        #expect(inPlace.body == shortHeader.body)
        #expect(inPlace.body == float64.body)
        let rotated = try Self.values(ofNPY: inPlace.body)
        #expect(rotated.shape == shape)
        #expect(rotated.values != input)
        // The same .npy body answered as JSON carries the same numbers.
        let asJSON = try server.request("POST", query, body: Self.npy(input, shape: shape), contentType: "application/x-npy")
        #expect(asJSON.headers["content-type"] == "application/json")
        #expect(try Self.literals(of: "embeddings", in: asJSON.bodyText).map(\.bitPattern) == rotated.values.map(\.bitPattern))
    }

    @Test("/rotate .npy: NaN and infinities are found at their element in either layout, overflow is a 422", arguments: [64, 16])
    func rotateInPlaceErrors(headerAlignment: Int) throws {
        let server = try TestServer()
        defer { server.stop() }
        var values = [Float](repeating: 0.5, count: 4 * 40)
        values[133] = -.infinity
        let infinite = try server.request("POST", "/rotate", body: Self.npy(values, shape: [4, 40], headerAlignment: headerAlignment),
                                          contentType: "application/x-npy")
        #expect(infinite.status == 422)
        #expect((infinite.json?["error"] as? String)?.contains("element 133 is infinite") == true, "\(infinite.bodyText)")
        values[133] = .nan
        values[7] = .nan
        let nan = try server.request("POST", "/rotate", body: Self.npy(values, shape: [4, 40], headerAlignment: headerAlignment),
                                     contentType: "application/x-npy")
        #expect((nan.json?["error"] as? String)?.contains("element 7 is NaN") == true, "\(nan.bodyText)")
        // Finite inputs whose rotation leaves float32 (|x cos - y sin| up to sqrt(2) max(|x|, |y|)).
        let huge = [Float](repeating: .greatestFiniteMagnitude, count: 2 * 8)
        let overflow = try server.request("POST", "/rotate", body: Self.npy(huge, shape: [2, 8], headerAlignment: headerAlignment),
                                          contentType: "application/x-npy")
        #expect(overflow.status == 422)
        #expect((overflow.json?["error"] as? String)?.contains("overflow float32") == true, "\(overflow.bodyText)")
        #expect(try server.request("GET", "/health").status == 200)
    }

    @Test("/attention: two arrays in one .npy body, same scores as JSON (masked = -inf)")
    func attention() throws {
        let server = try TestServer()
        defer { server.stop() }
        let queries = Self.randomTensor(2 * 3 * 8, seed: 1), keys = Self.randomTensor(2 * 4 * 8, seed: 2)
        func nest(_ values: [Float], _ rows: Int, _ length: Int) -> [[[Double]]] {
            (0..<rows).map { row in (0..<length).map { token in (0..<8).map { Double(values[(row * length + token) * 8 + $0]) } } }
        }
        let json = try server.request("POST", "/attention", json: [
            "queries": nest(queries, 2, 3), "keys": nest(keys, 2, 4), "causal": true,
            "query_positions": [1, 2, 3], "key_positions": [0, 1, 2, 3]])
        #expect(json.status == 200)
        let body = Self.npy(queries, shape: [2, 3, 8]) + Self.npy(keys, shape: [2, 4, 8])
        let npy = try server.request("POST", "/attention?causal=true&query_positions=1,2,3&key_positions=0,1,2,3",
                                     body: body, contentType: "application/x-npy", headers: ["Accept": "application/x-npy"])
        #expect(npy.status == 200)
        let scores = try Self.values(ofNPY: npy.body)
        #expect(scores.shape == [2, 3, 4])
        #expect(scores.values.map(\.bitPattern) == (try Self.literals(of: "scores", in: json.bodyText)).map(\.bitPattern))
        #expect(scores.values.contains(-.infinity))
    }

    @Test("/frequencies: cos and sin as one [2, seq_len, r/2] .npy")
    func frequencies() throws {
        let server = try TestServer()
        defer { server.stop() }
        let query = "/frequencies?dim=16&seq_len=5&rope_type=yarn&factor=4&original_max_position_embeddings=64"
        let json = try server.request("GET", query)
        let npy = try server.request("GET", query, headers: ["Accept": "application/x-npy"])
        #expect(npy.status == 200)
        #expect(npy.headers["x-rotary-dim"] == "16")
        let table = try Self.values(ofNPY: npy.body)
        #expect(table.shape == [2, 5, 8])
        let cos = try Self.literals(of: "cos", in: json.bodyText), sin = try Self.literals(of: "sin", in: json.bodyText)
        #expect(table.values.map(\.bitPattern) == (cos + sin).map(\.bitPattern))
    }

    @Test("bad .npy bodies get 400, 413, 415 or 422 with a JSON error", arguments: [
        ("big endian", NPYHTTPTests.npy([1, 2], shape: [1, 2], descr: ">f4"), 415),
        ("float16", NPYHTTPTests.npy([1, 2], shape: [1, 2], descr: "<f2"), 415),
        ("Fortran order", NPYHTTPTests.npy([1, 2, 3, 4], shape: [2, 2], fortran: true), 415),
        ("truncated data", NPYHTTPTests.npy([1, 2, 3, 4], shape: [2, 2], dropLast: 3), 400),
        ("shape larger than the data", NPYHTTPTests.npy([1, 2], shape: [2, 2]), 400),
        ("not .npy at all", Array("{\"embeddings\": [[1, 2]]}".utf8), 400),
        ("NaN", NPYHTTPTests.npy([.nan, 2], shape: [1, 2]), 422),
        ("odd head dimension", NPYHTTPTests.npy([1, 2, 3], shape: [1, 3]), 422),
    ])
    func badNPY(name: String, body: [UInt8], status: Int) throws {
        let server = try TestServer()
        defer { server.stop() }
        let response = try server.request("POST", "/rotate", body: body, contentType: "application/x-npy")
        #expect(response.status == status, "\(name): \(response.bodyText)")
        #expect(response.json?["error"] is String && response.json?["error_type"] is String, "\(name)")
    }
}
