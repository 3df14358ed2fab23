import Foundation
import Testing

/// Behaviour of the HTTP layer against API.md: routing, errors, keep-alive, operations endpoints.
@Suite("Server behaviour")
struct ServerBehaviourTests {
    @Test("a connection is kept alive across requests")
    func keepAlive() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        for _ in 0..<3 {
            let health = try client.request("GET", "/health")
            #expect(health.status == 200)
            #expect(health.headers["connection"]?.lowercased() != "close")
        }
        let rotated = try client.request("POST", "/rotate", body: Array(#"{"embeddings": [[1, 0], [1, 0]]}"#.utf8))
        #expect(rotated.status == 200)
        let second = try client.request("GET", "/health")
        #expect(second.json?["status"] as? String == "ok")
    }

    @Test("unknown path is a JSON 404, wrong method a JSON 405 with Allow")
    func routingErrors() throws {
        let server = try TestServer()
        defer { server.stop() }
        let missing = try server.request("GET", "/nope")
        #expect(missing.status == 404)
        #expect(missing.json?["error_type"] as? String == "not_found")
        let wrongMethod = try server.request("DELETE", "/frequencies")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET, POST, HEAD")
        #expect((wrongMethod.json?["error"] as? String)?.contains("DELETE") == true)
    }

    @Test("HEAD answers like GET without a body")
    func head() throws {
        let server = try TestServer()
        defer { server.stop() }
        let response = try server.client().request("HEAD", "/health")
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }

    @Test("GET /info reports version, limits, defaults and threads")
    func info() throws {
        let server = try TestServer { $0.limits.maxBodyBytes = 12345 }
        defer { server.stop() }
        let info = try #require(try server.request("GET", "/info").json)
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
        let server = try TestServer()
        defer { server.stop() }
        let response = try server.request("GET", "/openapi.yaml")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/yaml")
        let onDisk = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        #expect(response.bodyText == onDisk)
        for path in ["/rotate:", "/attention:", "/frequencies:", "/health:", "/info:", "/openapi.yaml:"] {
            #expect(onDisk.contains(path), "openapi.yaml describes \(path)")
        }
    }

    @Test("a body over the limit streamed without Content-Length framing problems is a JSON 413")
    func bodyOverLimitWhileStreaming() throws {
        let server = try TestServer { $0.limits.maxBodyBytes = 1000 }
        defer { server.stop() }
        let client = try server.client()
        let chunk = String(repeating: "0,", count: 400)
        let body = "{\"embeddings\": [[" + chunk + chunk + "0]]}"
        let head = "POST /rotate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        let chunked = String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n"
        try client.send(Array((head + chunked).utf8))
        let response = try client.readResponse(method: "POST")
        #expect(response.status == 413)
        #expect(response.json?["error_type"] as? String == "payload_too_large")
        // The server is still healthy for everyone else.
        #expect(try server.request("GET", "/health").status == 200)
    }

    @Test("unknown fields and query parameters are rejected naming the field")
    func unknownFields() throws {
        let server = try TestServer()
        defer { server.stop() }
        let body = try server.request("POST", "/rotate", json: ["embeddings": [[1.0, 2.0]], "rope_thta": 5.0])
        #expect(body.status == 422)
        #expect((body.json?["error"] as? String)?.contains("rope_thta") == true)
        let query = try server.request("GET", "/frequencies?dim=8&sequence_length=3")
        #expect(query.status == 422)
        #expect((query.json?["error"] as? String)?.contains("sequence_length") == true)
        let nested = try server.request("POST", "/rotate", json: ["embeddings": [[1.0, 2.0]],
                                                                  "rope_scaling": ["rope_type": "linear", "factr": 2]])
        #expect(nested.status == 422)
        #expect((nested.json?["error"] as? String)?.contains("rope_scaling.factr") == true)
    }

    @Test("the shortest float32 text reads back to the same float")
    func floatRoundTrip() throws {
        let server = try TestServer()
        defer { server.stop() }
        let values: [Float] = [0.1, 1e-38, 3.4028235e38, -2.5, 1.0 / 3.0, Float.leastNonzeroMagnitude, 123456.79]
        let literal = "{\"embeddings\": [[" + values.map { "\($0)" }.joined(separator: ",") + ", 0]], \"positions\": [0]}"
        let response = try server.request("POST", "/rotate", body: Array(literal.utf8))
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
