import Foundation
import Testing
import RoPEServer

/// Clients that hold connections, trickle bytes, lie about lengths or leave early.
@Suite("Hostile clients", .serialized)
struct HostileClientTests {
    /// A POST /rotate request's head up to its Content-Length.
    static let postHead = "POST /rotate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"

    @Test("connections over max_connections get a JSON 503, and the server recovers")
    func connectionLimit() throws {
        let server = try TestServer { $0.limits.maxConnections = 4 }
        defer { server.stop() }
        var held = try (0..<4).map { _ in try server.client() }
        #expect(eventually(within: 2) { server.runtime.metrics.connectionsOpen == 4 })
        let extra = try server.client()
        let refused = try extra.request("GET", "/health")
        #expect(refused.status == 503)
        #expect(refused.json?["error_type"] as? String == "too_many_connections")
        #expect(refused.headers["retry-after"] == "1")
        held.removeAll()
        #expect(eventually(within: 2) { server.runtime.metrics.connectionsOpen <= 1 })
        #expect(try server.request("GET", "/health").status == 200)
    }

    @Test("500 slowloris connections do not delay /health and are closed by the timeout")
    func slowloris() throws {
        let server = try TestServer { $0.limits.connectionTimeoutSeconds = 2 }
        defer { server.stop() }
        var attackers: [RawHTTPClient] = []
        for index in 0..<500 {
            let client = try server.client()
            // Half trickle headers, half declare a body and trickle it.
            if index % 2 == 0 {
                try client.send(Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8))
            } else {
                try client.send(Array((Self.postHead + "Content-Length: 100000\r\n\r\n{\"embeddings\": [[").utf8))
            }
            attackers.append(client)
        }
        #expect(eventually(within: 5) { server.runtime.metrics.connectionsOpen >= 500 })
        var slowest = Duration.zero
        for round in 0..<10 {
            for (index, client) in attackers.enumerated() where index % 50 == round % 50 {
                try? client.send(Array("a".utf8))
            }
            let start = ContinuousClock.now
            let health = try server.request("GET", "/health")
            slowest = max(slowest, ContinuousClock.now - start)
            #expect(health.status == 200)
        }
        #expect(slowest < .milliseconds(100), "slowest /health under attack: \(slowest)")
        // Idle attackers are cut off by the 2 s connection timeout.
        let closed = attackers.filter { $0.isClosedByPeer(within: 6) }.count
        #expect(closed == attackers.count, "\(closed) of \(attackers.count) slow connections closed by the timeout")
        #expect(eventually(within: 3) { server.runtime.metrics.requestsInFlight == 0 })
    }

    @Test("a body shorter than its Content-Length leaves nothing behind")
    func shortBody() throws {
        let server = try TestServer { $0.limits.connectionTimeoutSeconds = 1 }
        defer { server.stop() }
        let client = try server.client()
        try client.send(Array((Self.postHead + "Content-Length: 1000\r\n\r\n{\"embeddings\": [[1, 0]]}").utf8))
        #expect(eventually(within: 2) { server.runtime.metrics.requestsInFlight == 1 })
        #expect(client.isClosedByPeer(within: 4), "the timeout closes the connection")
        #expect(eventually(within: 2) { server.runtime.metrics.requestsInFlight == 0 })
        #expect(try server.request("GET", "/health").status == 200)
    }

    @Test("clients that leave mid-body or before reading a large response leave nothing behind")
    func earlyDisconnects() throws {
        let server = try TestServer()
        defer { server.stop() }
        do {
            let client = try server.client()
            try client.send(Array((Self.postHead + "Content-Length: 5000\r\n\r\n{\"embeddings\": [[1,").utf8))
        }   // closed here, mid-body
        let row = "[" + Array(repeating: "0.5", count: 128).joined(separator: ",") + "]"
        let large = Array(("{\"embeddings\": [" + Array(repeating: row,
                                                        count: 2048).joined(separator: ",") + "]}").utf8)
        for _ in 0..<5 {
            let client = try server.client()
            try client.send(Array((Self.postHead + "Content-Length: \(large.count)\r\n\r\n").utf8) + large)
        }   // each closed before reading its ~2 MB answer
        let start = ContinuousClock.now
        #expect(eventually(within: 30) { server.runtime.metrics.requestsInFlight == 0 },
                "in flight: \(server.runtime.metrics.requestsInFlight)")
        #expect(eventually(within: 30) { server.runtime.metrics.connectionsOpen == 0 },
                "open: \(server.runtime.metrics.connectionsOpen)")
        print("early disconnects settled after \(ContinuousClock.now - start)")
        #expect(try server.request("GET", "/health").status == 200)
    }
}
