import Foundation
import RoPEServerTestSupport
import Testing

/// What libmicrohttpd does with a connection around the router's answers: keep-alive, and HEAD without a body.
@Suite("Connections")
struct ConnectionTests {
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

    @Test("HEAD answers like GET without a body")
    func head() throws {
        let server = try TestServer()
        defer { server.stop() }
        let response = try server.client().request("HEAD", "/health")
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }
}
