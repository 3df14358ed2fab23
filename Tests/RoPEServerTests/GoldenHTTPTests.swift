import Foundation
import Testing

/// Every golden case, sent over a real socket to a real server started on port 0.
@Suite("Golden cases over HTTP")
struct GoldenHTTPTests {
    @Test("golden case", arguments: GoldenCase.allFiles)
    func goldenCase(file: String) throws {
        let golden = try GoldenCase(file: file)
        let server = try TestServer()
        defer { server.stop() }
        let response: RawResponse
        if let synthetic = golden.syntheticBody {
            response = try sendSynthetic(golden, synthetic, to: server)
        } else {
            response = try server.request(golden.method, golden.target, body: golden.body,
                                          contentType: golden.contentType ?? "application/json")
        }
        #expect(response.headers["content-type"]?.hasPrefix("application/json") == true,
                "\(golden.name): every answer is JSON, got \(response.headers["content-type"] ?? "none")")
        let problems = golden.problems(status: response.status, json: response.json)
        #expect(problems.isEmpty, "\(golden.name) (\(file)): \(problems.joined(separator: "; "))")
    }

    @Test("the vendored golden set is complete")
    func goldenSetIsComplete() {
        #expect(GoldenCase.allFiles.count == 161)
    }

    /// Declares the case's full length but sends only the start: the 413 must come from Content-Length alone.
    private func sendSynthetic(_ golden: GoldenCase, _ spec: [String: Any], to server: TestServer) throws -> RawResponse {
        let bytes = spec["bytes"] as! Int
        let client = try server.client()
        let head = "\(golden.method) \(golden.endpoint) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(bytes)\r\n\r\n{\"embeddings\":[[0,0,0,0"
        try client.send(Array(head.utf8))
        return try client.readResponse(method: golden.method)
    }
}
