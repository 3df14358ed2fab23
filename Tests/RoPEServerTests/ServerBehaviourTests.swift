import Foundation
import Testing
import RoPEServerTestSupport

/// Routing, errors and the operations endpoints against openapi.yaml, through the router (keep-alive and HEAD on
/// the wire: EndToEndTests' ConnectionTests).
@Suite("Server behaviour")
struct ServerBehaviourTests {

    @Test("unknown path is a JSON 404, wrong method a JSON 405 with Allow")
    func routingErrors() throws {
        let api = RouterTransport()
        let missing = try api.request("GET", "/nope")
        #expect(missing.status == 404)
        #expect(missing.json?["error_type"] as? String == "not_found")
        let wrongMethod = try api.request("DELETE", "/frequencies")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET, POST, HEAD")
        #expect((wrongMethod.json?["error"] as? String)?.contains("DELETE") == true)
    }

    @Test("GET /info reports version, limits, defaults and threads")
    func info() throws {
        let api = RouterTransport { $0.limits.maxBodyBytes = 12345 }
        let info = try #require(try api.request("GET", "/info").json)
        #expect(info["version"] is String)
        #expect(info["threads"] as? Int == 2)
        let limits = try #require(info["limits"] as? [String: Any])
        #expect(limits["max_body_bytes"] as? Int == 12345)
        #expect(limits["max_dimension"] as? Int == 65536)
        let defaults = try #require(info["defaults"] as? [String: Any])
        #expect(defaults["rope_theta"] as? Double == 10000)
        #expect(defaults["layout"] as? String == "half")
    }

    @Test("GET /openapi.yaml serves the repository's document")
    func openAPI() throws {
        let api = RouterTransport()
        let response = try api.request("GET", "/openapi.yaml")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/yaml")
        let onDisk = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("openapi.yaml"),
                                encoding: .utf8)
        #expect(response.bodyText == onDisk)
        for path in ["/rotate:", "/attention:", "/frequencies:", "/health:", "/info:", "/openapi.yaml:"] {
            #expect(onDisk.contains(path), "openapi.yaml describes \(path)")
        }
    }

    @Test("unknown fields and query parameters are rejected naming the field")
    func unknownFields() throws {
        let api = RouterTransport()
        let body = try api.request("POST", "/rotate", json: ["embeddings": [[1.0, 2.0]], "rope_thta": 5.0])
        #expect(body.status == 422)
        #expect((body.json?["error"] as? String)?.contains("rope_thta") == true)
        let query = try api.request("GET", "/frequencies?dim=8&sequence_length=3")
        #expect(query.status == 422)
        #expect((query.json?["error"] as? String)?.contains("sequence_length") == true)
        let nested = try api.request("POST", "/rotate", json: ["embeddings": [[1.0, 2.0]],
                                                                  "rope_scaling": ["rope_type": "linear", "factr": 2]])
        #expect(nested.status == 422)
        #expect((nested.json?["error"] as? String)?.contains("rope_scaling.factr") == true)
    }

    @Test("the shortest float32 text reads back to the same float")
    func floatRoundTrip() throws {
        let api = RouterTransport()
        let values: [Float] = [0.1, 1e-38, 3.4028235e38, -2.5, 1.0 / 3.0, Float.leastNonzeroMagnitude, 123456.79]
        let numbers = values.map { "\($0)" }.joined(separator: ",")
        let literal = #"{"embeddings": [["# + numbers + #", 0]], "positions": [0]}"#
        let response = try api.request("POST", "/rotate", body: Array(literal.utf8))
        #expect(response.status == 200)
        // Position 0 is the identity rotation: each output literal must read back as the input float, bit for bit.
        let text = response.bodyText
        let start = try #require(text.range(of: "[[")), end = try #require(text.range(of: "]]"))
        let literals = text[start.upperBound..<end.lowerBound].split(separator: ",")
        #expect(literals.count == values.count + 1)
        for (literal, value) in zip(literals, values) {
            #expect(Float(String(literal))?.bitPattern == value.bitPattern, "\(literal) should read back as \(value)")
        }
    }
}
