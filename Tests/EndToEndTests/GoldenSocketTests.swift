import Foundation
import RoPEServerTestSupport
import Testing

/// Every golden case over a socket to one real server: the query strings as libmicrohttpd decodes them, the answers
/// as they come off the wire, and the synthetic cases, whose 413 comes from the declared Content-Length alone.
@Suite("Golden cases over one server")
struct GoldenSocketTests {
    @Test("every golden case, in turn, over one server")
    func everyCase() throws {
        let server = try TestServer()
        defer { server.stop() }
        var synthetic = 0
        for file in GoldenCase.allFiles {
            let golden = try GoldenCase(file: file)
            let response: TestResponse
            if let spec = golden.syntheticBody {
                response = try sendSynthetic(golden, spec, to: server)
                synthetic += 1
            } else {
                response = try golden.send(over: server)
            }
            let problems = golden.problems(in: response)
            #expect(problems.isEmpty, "\(golden.name) (\(file)): \(problems.joined(separator: "; "))")
        }
        #expect(synthetic == 1)
        #expect(try server.request("GET", "/health").status == 200)
    }

    /// Declares the case's full length but sends only the start: the 413 must come from Content-Length alone.
    private func sendSynthetic(_ golden: GoldenCase, _ spec: [String: Any],
                               to server: TestServer) throws -> TestResponse {
        let bytes = try #require(spec["bytes"] as? Int)
        let client = try server.client()
        let head = "\(golden.method) \(golden.endpoint) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(bytes)\r\n\r\n{\"embeddings\":[[0,0,0,0"
        try client.send(Array(head.utf8))
        return try client.readResponse(method: golden.method)
    }
}
