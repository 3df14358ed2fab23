import Foundation
import Testing
import RoPEServer

/// The steps around the router: /metrics, request ids and the optional API key (for the explorer page too).
@Suite("Operations")
struct OperationsTests {
    @Test("/metrics counts requests by route and status, errors by type, engine time and build info")
    func metrics() throws {
        let server = try TestServer()
        defer { server.stop() }
        #expect(try server.request("POST", "/rotate", json: ["embeddings": [[1.0, 0.0]]]).status == 200)
        #expect(try server.request("POST", "/rotate", json: ["embeddings": [[1.0, 0.0, 1.0]]]).status == 422)
        #expect(try server.request("GET", "/nowhere").status == 404)
        let response = try server.request("GET", "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = response.bodyText
        let expectedLines = [
            #"rope_http_requests_total{route="/rotate",method="POST",status="200"} 1"#,
            #"rope_http_requests_total{route="/rotate",method="POST",status="422"} 1"#,
            #"rope_http_requests_total{route="unmatched",method="GET",status="404"} 1"#,
            #"rope_http_errors_total{error_type="validation_error"} 1"#,
            #"rope_http_errors_total{error_type="not_found"} 1"#,
            #"rope_http_request_duration_seconds_count{route="/rotate",method="POST",status="200"} 1"#,
            #"rope_engine_duration_seconds_count{route="/rotate"} 2"#,   // the odd dimension is refused by the engine
            #"rope_build_info{version="\#(RoPEService.version)",swift="6.3"} 1"#,
        ]
        for line in expectedLines {
            #expect(text.split(separator: "\n").contains(Substring(line)), "missing metrics line: \(line)")
        }
        // At least the /metrics request itself (an earlier one may still be finishing on its connection).
        let inFlight = text.split(separator: "\n").first { $0.hasPrefix("rope_http_requests_in_flight ") }
        #expect((inFlight?.split(separator: " ").last).flatMap { Int($0) }.map { $0 >= 1 } == true)
        #expect(text.contains("# TYPE rope_http_request_duration_seconds histogram"))
        #expect(text.contains(#"rope_http_request_bytes_total{route="/rotate"}"#))
        #expect(text.contains(#"le="+Inf""#))
    }

    @Test("X-Request-Id is echoed, or generated when absent")
    func requestID() throws {
        let server = try TestServer()
        defer { server.stop() }
        let echoed = try server.request("GET", "/health", headers: ["X-Request-Id": "abc-123"])
        #expect(echoed.headers["x-request-id"] == "abc-123")
        let generated = try server.request("GET", "/health")
        #expect(generated.headers["x-request-id"]?.count == 16)
        let unusable = try server.request("GET", "/health",
                                          headers: ["X-Request-Id": String(repeating: "x", count: 500)])
        #expect(unusable.headers["x-request-id"]?.count == 16)
    }

    @Test("with an API key every route but /health needs the bearer token")
    func apiKey() throws {
        let server = try TestServer { $0.apiKey = "s3cret" }
        defer { server.stop() }
        #expect(try server.request("GET", "/health").status == 200)
        let missing = try server.request("GET", "/info")
        #expect(missing.status == 401)
        #expect(missing.json?["error_type"] as? String == "unauthorized")
        #expect(missing.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(try server.request("GET", "/info", headers: ["Authorization": "Bearer s3cre"]).status == 401)
        #expect(try server.request("GET", "/info", headers: ["Authorization": "Bearer s3cret!"]).status == 401)
        #expect(try server.request("GET", "/info", headers: ["Authorization": "Basic s3cret"]).status == 401)
        // A key whose length differs by a multiple of 256 must not pass on its prefix.
        let padded = "Bearer s3cret" + String(repeating: "x", count: 256)
        #expect(try server.request("GET", "/info", headers: ["Authorization": padded]).status == 401)
        #expect(try server.request("GET", "/info", headers: ["Authorization": "Bearer s3cret"]).status == 200)
        let rotate = try server.request("POST", "/rotate", json: ["embeddings": [[1.0, 0.0]]],
                                        headers: ["Authorization": "Bearer s3cret"])
        #expect(rotate.status == 200)
        #expect(try server.request("GET", "/metrics").status == 401)
    }

    @Test("with an API key, / takes it as a bearer token or as a Basic password, and challenges browsers with Basic")
    func explorerAPIKey() throws {
        let server = try TestServer { $0.apiKey = "s3cret" }
        defer { server.stop() }
        let missing = try server.request("GET", "/")
        #expect(missing.status == 401)
        #expect(missing.json?["error_type"] as? String == "unauthorized")
        #expect(missing.headers["www-authenticate"]?.hasPrefix("Basic realm=\"rope-server\"") == true)
        #expect(try server.request("GET", "/info").headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        #expect(try server.request("GET", "/", headers: ["Authorization": "Bearer s3cret"]).status == 200)
        func basic(_ credentials: String) -> [String: String] {
            ["Authorization": "Basic " + Data(credentials.utf8).base64EncodedString()]
        }
        #expect(try server.request("GET", "/", headers: basic("anyone:s3cret")).status == 200)
        #expect(try server.request("GET", "/info", headers: basic(":s3cret")).status == 200)
        #expect(try server.request("GET", "/info", headers: basic("rope:s3cre")).status == 401)
        #expect(try server.request("GET", "/info", headers: basic("s3cret")).status == 401)   // no colon: no password
        #expect(try server.request("GET", "/info", headers: basic("s3cret:")).status == 401)
        #expect(try server.request("GET", "/info", headers: ["Authorization": "Basic !!!"]).status == 401)
        #expect(try server.request("GET", "/info", headers: ["Authorization": "Bearers3cret"]).status == 401)
    }
}
