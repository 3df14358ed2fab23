import Foundation
import Testing
import RoPEServer

/// Requests libmicrohttpd refuses itself, before the access handler runs: a malformed request head or chunked body,
/// an unusable Content-Length, an HTTP version other than 1.x, a head or query that does not fit in the connection's
/// memory pool. Debian's 0.9.75 answered them with HTML pages, sent the header block twice for a bad Content-Length
/// and dropped the connection without a byte for too many query arguments; deps/libmicrohttpd/json-errors.patch
/// makes each one JSON response, after which the server closes the connection (and answers the next one).
@Suite("Errors libmicrohttpd answers itself")
struct LibraryErrorTests {
    /// Raw request bytes and the answer they must get.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var request: [UInt8]
        var status: Int
        var errorType: String
        /// Text the error message must contain.
        var mentions: String

        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let host = "Host: 127.0.0.1\r\n"
        func head(_ text: String) -> [UInt8] { Array(text.utf8) }
        // A valid request pipelined behind the bad one: it must not be answered (the connection closes after the
        // error).
        let pipelined = head("GET /health HTTP/1.1\r\n\(host)\r\n")
        let postHead = "POST /rotate HTTP/1.1\r\n\(host)Content-Type: application/json\r\n"
        let chunkedHead = postHead + "Transfer-Encoding: chunked\r\n\r\n"
        let manyArguments = (0..<8000).map { "p\($0)=1" }.joined(separator: "&")
        let manyCookies = (0..<20_000).map { "c\($0)=1" }.joined(separator: "; ")
        return [
            Case(name: "malformed chunked body (chunk size 'zz')",
                 request: head(chunkedHead + "zz\r\n{}\r\n0\r\n\r\n"), status: 400, errorType: "malformed_request",
                 mentions: "chunked"),
            Case(name: "chunk data not followed by CRLF",
                 request: head(chunkedHead + "2\r\n{}XX\r\n0\r\n\r\n"), status: 400, errorType: "malformed_request",
                 mentions: "chunked"),
            Case(name: "chunk size beyond 64 bits",
                 request: head(chunkedHead + "fffffffffffffffffffffff\r\n"), status: 413,
                 errorType: "payload_too_large", mentions: "chunk size"),
            Case(name: "Content-Length: 12abc",
                 request: head(postHead + "Content-Length: 12abc\r\n\r\n")
                    + pipelined,
                 status: 400, errorType: "malformed_request", mentions: "Content-Length"),
            Case(name: "Content-Length: 99999999999999999999999",
                 request: head(postHead + "Content-Length: 99999999999999999999999\r\n\r\n")
                    + pipelined,
                 status: 413, errorType: "payload_too_large", mentions: "Content-Length"),
            Case(name: "a header line without a colon",
                 request: head("GET /health HTTP/1.1\r\n\(host)X-Broken header line\r\n\r\n"), status: 400,
                 errorType: "malformed_request", mentions: "header line"),
            Case(name: "the first header line without a colon",
                 request: head("GET /health HTTP/1.1\r\nno colon here\r\n\(host)\r\n"), status: 400,
                 errorType: "malformed_request", mentions: "header line"),
            Case(name: "a request line without a target", request: head("GARBAGE\r\n\r\n"), status: 400,
                 errorType: "malformed_request", mentions: "request line"),
            Case(name: "HTTP/2.0 request line", request: head("GET /health HTTP/2.0\r\n\(host)\r\n"), status: 505,
                 errorType: "http_version_not_supported", mentions: "HTTP/1.1"),
            Case(name: "HTTP/0.9 request line", request: head("GET /health HTTP/0.9\r\n\(host)\r\n"), status: 505,
                 errorType: "http_version_not_supported", mentions: "HTTP/1.1"),
            Case(name: "a request line beyond connection_memory_limit (400 KB query string)",
                 request: head("GET /frequencies?dim=8&x=\(String(repeating: "a", count: 400_000)) HTTP/1.1\r\n"
                               + "\(host)\r\n"),
                 status: 414, errorType: "uri_too_long", mentions: "connection_memory_limit"),
            Case(name: "a header beyond connection_memory_limit (400 KB)",
                 request: head("GET /health HTTP/1.1\r\n\(host)"
                               + "X-Large: \(String(repeating: "a", count: 400_000))\r\n\r\n"),
                 status: 431, errorType: "header_fields_too_large", mentions: "connection_memory_limit"),
            Case(name: "8000 query arguments (they overflow connection_memory_limit)",
                 request: head("GET /decay?dim=8&\(manyArguments) HTTP/1.1\r\n\(host)\r\n"), status: 414,
                 errorType: "uri_too_long", mentions: "arguments"),
            Case(name: "20000 cookies (they overflow connection_memory_limit) and a bad Content-Length",
                 request: head("POST /rotate HTTP/1.1\r\n\(host)Cookie: \(manyCookies)\r\nContent-Length: 1x\r\n\r\n"),
                 status: 431, errorType: "header_fields_too_large", mentions: "connection_memory_limit"),
        ]
    }()

    @Test("is answered with one JSON error, then the connection is closed", arguments: cases)
    func answeredInJSON(_ item: Case) throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        // The server may answer and close before it has read a large request: a failed send is not the failure
        // under test, what was answered is.
        try? client.send(item.request)
        let transcript = client.readUntilClosed()
        #expect(transcript.closedByServer, "the server closes the connection after the error")
        #expect(transcript.statusLineCount == 1,
                "exactly one status line and header block: \(transcript.text.prefix(600))")
        let first = try #require(transcript.firstResponse, "no complete response in: \(transcript.text.prefix(600))")
        #expect(first.trailing.isEmpty,
                "bytes after the response: \(String(decoding: first.trailing.prefix(300), as: UTF8.self))")
        #expect(first.response.status == item.status, "\(transcript.text.prefix(600))")
        #expect(first.response.headers["content-type"] == "application/json")
        let json = try #require(first.response.json,
                                "the body is not a JSON object: \(first.response.bodyText.prefix(300))")
        #expect(Set(json.keys) == ["error", "error_type"])
        #expect(json["error_type"] as? String == item.errorType)
        let message = json["error"] as? String ?? ""
        #expect(message.contains(item.mentions), "'\(item.mentions)' not in \(message)")
        let health = try server.request("GET", "/health")
        #expect(health.status == 200 && health.json?["status"] as? String == "ok",
                "the server answers /health afterwards")
    }

    @Test("a request the library refuses is released: nothing stays in flight")
    func refusedRequestsLeaveNothingInFlight() throws {
        // A malformed chunk arrives after the access handler has started the request (its state is allocated on the
        // first call); the library's own 400 must still end it through the request-completed callback.
        let server = try TestServer()
        defer { server.stop() }
        for item in Self.cases {
            let client = try server.client()
            try? client.send(item.request)
            _ = client.readUntilClosed()
        }
        let deadline = Date().addingTimeInterval(3)
        while server.runtime.metrics.requestsInFlight > 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(server.runtime.metrics.requestsInFlight == 0)
        #expect(try server.request("GET", "/health").status == 200)
    }
}
