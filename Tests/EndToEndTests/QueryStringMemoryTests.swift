import Foundation
import RoPEServerTestSupport
import Testing

/// Large query strings against libmicrohttpd's connection memory pool (connection_memory_limit): what fits reaches
/// the router and gets its JSON error; a request line or argument list the pool cannot hold is libmicrohttpd's JSON
/// 414, before any handler runs.
@Suite("Query strings and the connection memory")
struct QueryStringMemoryTests {
    @Test("a 150 KB query string and 1500 query parameters get JSON errors (within connection_memory_limit)")
    func largeQueries() throws {
        let server = try TestServer()
        defer { server.stop() }
        let long = try server.request("GET", "/frequencies?dim=8&x=" + String(repeating: "a", count: 150_000))
        #expect(long.status == 422)
        #expect(long.json?["error_type"] as? String == "validation_error")
        let many = (0..<1500).map { "p\($0)=1" }.joined(separator: "&")
        let response = try server.request("GET", "/decay?dim=8&" + many)
        #expect(response.status == 422)
        #expect((response.json?["error"] as? String)?.contains("p0") == true)
        #expect(try server.request("GET", "/health").status == 200)
    }

    @Test("a query string beyond connection_memory_limit is a JSON 414 and the server stays up")
    func queryBeyondConnectionMemory() throws {
        let server = try TestServer()
        defer { server.stop() }
        // libmicrohttpd refuses a request line larger than the connection's memory pool before any handler runs;
        // deps/libmicrohttpd/json-errors.patch makes its answer JSON (LibraryErrorTests has the other such errors).
        let response = try server.request("GET", "/frequencies?dim=8&x=" + String(repeating: "a", count: 400_000))
        #expect(response.status == 414)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.json?["error_type"] as? String == "uri_too_long")
        #expect((response.json?["error"] as? String)?.contains("connection_memory_limit") == true)
        #expect(try server.request("GET", "/health").status == 200)
    }

    @Test("a query string with more arguments than connection_memory_limit holds is a JSON 414 and the server stays up")
    func manyQueryParameters() throws {
        let server = try TestServer()
        defer { server.stop() }
        // 8000 arguments (~70 KB): the request line fits the 256 KiB pool, but libmicrohttpd keeps every argument in
        // that same pool and runs out before any handler runs (unpatched 0.9.75 then closed the connection silently).
        let many = (0..<8000).map { "p\($0)=1" }.joined(separator: "&")
        let response = try server.request("GET", "/decay?dim=8&" + many)
        #expect(response.status == 414)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.json?["error_type"] as? String == "uri_too_long")
        #expect((response.json?["error"] as? String)?.contains("arguments") == true)
        #expect(try server.request("GET", "/health").status == 200)
    }
}
