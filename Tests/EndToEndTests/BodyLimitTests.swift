import Foundation
import RoPEServerTestSupport
import Testing

/// max_body_bytes is enforced by the server before the router: from a declared Content-Length, before the body is
/// read, and while a chunked body streams in. Each refusal is a JSON 413 naming the limit.
@Suite("Body size limit")
struct BodyLimitTests {
    @Test("a Content-Length over the limit is refused before the body is read")
    func contentLength() throws {
        let server = try TestServer { $0.limits.maxBodyBytes = 1024 }
        defer { server.stop() }
        let client = try server.client()
        try client.send(Array(("POST /rotate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               + "Content-Length: 1000000000\r\n\r\n").utf8))
        let response = try client.readResponse(method: "POST")
        #expect(response.status == 413)
        #expect((response.json?["error"] as? String)?.contains("max_body_bytes") == true)
    }

    @Test("a body over the limit streamed without Content-Length framing problems is a JSON 413")
    func bodyOverLimitWhileStreaming() throws {
        let server = try TestServer { $0.limits.maxBodyBytes = 1000 }
        defer { server.stop() }
        let client = try server.client()
        let chunk = String(repeating: "0,", count: 400)
        let body = "{\"embeddings\": [[" + chunk + chunk + "0]]}"
        let head = "POST /rotate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
        let chunked = String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n"
        try client.send(Array((head + chunked).utf8))
        let response = try client.readResponse(method: "POST")
        #expect(response.status == 413)
        #expect(response.json?["error_type"] as? String == "payload_too_large")
        // The server is still healthy for everyone else.
        #expect(try server.request("GET", "/health").status == 200)
    }

    @Test("a whole body above max_body_bytes is a JSON 413 naming the limit, and the server answers afterwards")
    func wholeBodyOverLimit() throws {
        let server = try TestServer { $0.limits.maxBodyBytes = 4096 }
        defer { server.stop() }
        let body = #"{"embeddings": [[1, 0]], "layout": "\#(String(repeating: "x", count: 5000))"}"#
        let response = try server.request("POST", "/rotate", body: Array(body.utf8))
        #expect(response.status == 413, "\(response.bodyText)")
        #expect(response.json?["error_type"] as? String == "payload_too_large")
        #expect((response.json?["error"] as? String)?.contains("max_body_bytes") == true, "\(response.bodyText)")
        #expect(try server.request("GET", "/health").status == 200)
    }
}
