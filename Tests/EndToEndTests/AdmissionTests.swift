import Foundation
import Testing

/// Admission to the memory budget over real sockets: refusals reach clients that write their whole body first,
/// waiters are admitted when room frees, small requests pass large ones, and the counters show it.
@Suite("Admission to the memory budget")
struct AdmissionTests {
    /// A budget of 16 MiB: large requests may hold 14 MiB, small ones (up to 128 KiB) the last 2 MiB.
    private static let budget = 16 << 20
    /// A /rotate JSON body of 300,000 bytes: its worst case is 16 KiB + 300,000 + 150,000 x 52 = 8.1 MB, so a second
    /// one does not fit while the first is in flight.
    private static let largeBodyBytes = 300_000

    /// A valid /rotate JSON body of exactly `bytes` bytes (rows of 64 ones, padded with spaces).
    static func rotateBody(bytes: Int) -> [UInt8] {
        let row = "[" + Array(repeating: "1", count: 64).joined(separator: ",") + "]"
        let frame = "{\"embeddings\":[]}".utf8.count
        // Rows are added while one more (and its comma) still leaves room: the text of n rows is n x row + n - 1.
        var rowCount = 0
        while frame + rowCount * row.utf8.count + max(rowCount - 1, 0) + row.utf8.count + 1 < bytes { rowCount += 1 }
        let text = "{\"embeddings\":[" + Array(repeating: row, count: rowCount).joined(separator: ",") + "]}"
        return Array(text.utf8) + Array(repeating: UInt8(ascii: " "), count: bytes - text.utf8.count)
    }

    /// The 300,000-byte body, built once.
    private static let largeBody = rotateBody(bytes: largeBodyBytes)

    private static func head(_ bodyBytes: Int, extra: String = "") -> [UInt8] {
        Array(("POST /rotate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               + "Content-Length: \(bodyBytes)\r\n\(extra)\r\n").utf8)
    }

    private func server(waitMilliseconds: Int) throws -> TestServer {
        try TestServer { configuration in
            configuration.limits.maxInflightBytes = Self.budget
            configuration.limits.admissionWaitMilliseconds = waitMilliseconds
        }
    }

    /// A client that sent its headers and half its body: its worst case stays reserved until it sends the rest.
    private func holder(_ server: TestServer, body: [UInt8]) throws -> RawHTTPClient {
        let client = try server.client()
        try client.send(Self.head(body.count) + body.prefix(body.count / 2))
        try #require(eventually(within: 10) { metric(server, "rope_memory_reserved_bytes") ?? 0 >= 7_000_000 })
        return client
    }

    /// Sends the rest of a holder's body; its answer must be a 200.
    private func finish(_ holder: RawHTTPClient, body: [UInt8]) throws {
        try holder.send(Array(body[(body.count / 2)...]))
        #expect(try holder.readResponse(method: "POST").status == 200)
    }

    private func metric(_ server: TestServer, _ name: String) -> Int? {
        guard let text = try? server.request("GET", "/metrics").bodyText else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            .flatMap { Int($0.split(separator: " ")[1]) }
    }

    @Test("a client that writes its whole body before reading gets the JSON 503 with Retry-After, not a reset")
    func refusalReachesEagerClient() throws {
        let server = try server(waitMilliseconds: 100)
        defer { server.stop() }
        let body = Self.largeBody
        let first = try holder(server, body: body)

        let eager = try server.client()
        try eager.send(Self.head(body.count) + body)   // all of it, at once: send must not fail
        let refused = try eager.readResponse(method: "POST")
        #expect(refused.status == 503)
        #expect(refused.json?["error_type"] as? String == "overloaded")
        #expect((refused.json?["error"] as? String)?.contains("max_inflight_bytes") == true)
        #expect(refused.headers["retry-after"] == "1")
        #expect(refused.headers["content-type"] == "application/json")
        let rest = eager.readUntilClosed(within: 5)
        #expect(rest.closedByServer && rest.bytes.isEmpty)
        #expect(metric(server, "rope_admission_refused_total") == 1)

        try finish(first, body: body)
    }

    @Test("more refused clients than drain slots: each body is dropped in turn and every client reads its 503")
    func refusalsQueueForDrainSlots() throws {
        let server = try server(waitMilliseconds: 50)
        defer { server.stop() }
        let body = Self.largeBody
        let first = try holder(server, body: body)
        let eager = try (0..<20).map { _ in try server.client() }
        for client in eager { try client.send(Self.head(body.count) + body) }
        for client in eager {
            let refused = try client.readResponse(method: "POST")
            #expect(refused.status == 503 && refused.json?["error_type"] as? String == "overloaded")
        }
        #expect(metric(server, "rope_admission_refused_total") == 20)
        try finish(first, body: body)
    }

    @Test("a client that waits for 100 Continue is refused at once, without 100 Continue")
    func refusalBeforeContinue() throws {
        let server = try server(waitMilliseconds: 100)
        defer { server.stop() }
        let body = Self.largeBody
        let first = try holder(server, body: body)
        let polite = try server.client()
        try polite.send(Self.head(body.count, extra: "Expect: 100-continue\r\n"))
        let refused = try polite.readResponse(method: "POST")
        #expect(refused.status == 503)
        #expect(refused.json?["error_type"] as? String == "overloaded")
        try finish(first, body: body)
    }

    @Test("a waiting request is admitted when room frees, within its wait")
    func waiterAdmitted() throws {
        let server = try server(waitMilliseconds: 20_000)
        defer { server.stop() }
        let body = Self.largeBody
        let first = try holder(server, body: body)
        let second = try server.client()
        try second.send(Self.head(body.count) + body)
        try #require(eventually(within: 10) { metric(server, "rope_admission_waiting") == 1 })
        try finish(first, body: body)
        let admitted = try second.readResponse(method: "POST")
        #expect(admitted.status == 200, "\(admitted.bodyText.prefix(200))")
        #expect(metric(server, "rope_admission_waiting") == 0)
        #expect(metric(server, "rope_admission_refused_total") == 0)
    }

    @Test("small requests are answered at once while large ones wait")
    func smallRequestsPassLargeOnes() throws {
        let server = try server(waitMilliseconds: 20_000)
        defer { server.stop() }
        let body = Self.largeBody
        let first = try holder(server, body: body)
        let waiting = try server.client()
        try waiting.send(Self.head(body.count) + body)
        try #require(eventually(within: 10) { metric(server, "rope_admission_waiting") == 1 })
        for _ in 0..<5 {
            let small = try server.request("POST", "/rotate", json: ["embeddings": [[1, 0, 0, 1]]])
            #expect(small.status == 200)
        }
        #expect(try server.request("GET", "/health").status == 200)
        #expect(metric(server, "rope_admission_waiting") == 1)
        try finish(first, body: body)
        #expect(try waiting.readResponse(method: "POST").status == 200)
    }

    @Test("a request whose worst case exceeds what the budget allows one request is a 413 naming max_inflight_bytes")
    func neverFits() throws {
        let server = try server(waitMilliseconds: 100)
        defer { server.stop() }
        let body = Self.rotateBody(bytes: 700_000)   // worst case 16 KiB + 700,000 + 350,000 x 52 > 14 MiB
        let client = try server.client()
        try client.send(Self.head(body.count) + body)
        let response = try client.readResponse(method: "POST")
        #expect(response.status == 413)
        #expect(response.json?["error_type"] as? String == "payload_too_large")
        #expect((response.json?["error"] as? String)?.contains("max_inflight_bytes") == true)
    }

    @Test("a chunked body reserves as it grows, and is refused with the JSON 503 when the budget has no room")
    func chunkedBodyGrows() throws {
        let server = try server(waitMilliseconds: 100)
        defer { server.stop() }
        let body = Self.largeBody
        let first = try holder(server, body: body)
        let chunked = try server.client()
        var bytes = Array(("POST /rotate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           + "Transfer-Encoding: chunked\r\n\r\n").utf8)
        var offset = 0
        while offset < body.count {
            let piece = body[offset..<min(offset + 16_384, body.count)]
            bytes += Array((String(piece.count, radix: 16) + "\r\n").utf8) + piece + Array("\r\n".utf8)
            offset += piece.count
        }
        bytes += Array("0\r\n\r\n".utf8)
        try chunked.send(bytes)
        let refused = try chunked.readResponse(method: "POST")
        #expect(refused.status == 503)
        #expect(refused.json?["error_type"] as? String == "overloaded")
        try finish(first, body: body)
        // Once the first request has ended (its answer sent), the same chunked body is served.
        try #require(eventually(within: 10) { metric(server, "rope_memory_reserved_bytes") ?? 0 <= 1 << 17 })
        let again = try server.client()
        try again.send(bytes)
        #expect(try again.readResponse(method: "POST").status == 200)
        try #require(eventually(within: 10) { metric(server, "rope_memory_reserved_bytes") ?? 0 <= 1 << 17 })
    }

    @Test("/attention reserves its scores once their count is known: 503 while the budget is in use, 200 after")
    func attentionScoresReserved() throws {
        let server = try server(waitMilliseconds: 100)
        defer { server.stop() }
        // 100 queries x 2000 keys: 200,000 scores, 8 MB with their JSON text; 8.1 MB are held by the holder.
        let request: [String: Any] = ["queries": Array(repeating: [1.0, 0.0], count: 100),
                                      "keys": Array(repeating: [0.0, 1.0], count: 2000)]
        let body = Self.largeBody
        let first = try holder(server, body: body)
        let refused = try server.request("POST", "/attention", json: request)
        #expect(refused.status == 503)
        #expect(refused.json?["error_type"] as? String == "overloaded")
        #expect(refused.headers["retry-after"] == "1")
        try finish(first, body: body)
        #expect(try server.request("POST", "/attention", json: request).status == 200)
    }

    @Test("/frequencies tables beyond what the budget allows one request are a 413 naming max_inflight_bytes")
    func frequenciesTablesReserved() throws {
        let server = try server(waitMilliseconds: 100)
        defer { server.stop() }
        let tooMany = try server.request("GET", "/frequencies?dim=64&seq_len=10000")   // 640,000 cells x 40 bytes
        #expect(tooMany.status == 413)
        #expect((tooMany.json?["error"] as? String)?.contains("max_inflight_bytes") == true)
        #expect(try server.request("GET", "/frequencies?dim=64&seq_len=1000").status == 200)
    }

    @Test("/info shows the budget in force and where it came from")
    func infoShowsBudget() throws {
        let configured = try server(waitMilliseconds: 250)
        defer { configured.stop() }
        let limits = try configured.request("GET", "/info").json?["limits"] as? [String: Any]
        #expect(limits?["max_inflight_bytes"] as? Int == Self.budget)
        #expect(limits?["max_inflight_bytes_source"] as? String == "configured")
        #expect(limits?["admission_wait_ms"] as? Int == 250)
        let derived = try TestServer()
        defer { derived.stop() }
        let derivedLimits = try derived.request("GET", "/info").json?["limits"] as? [String: Any]
        let source = derivedLimits?["max_inflight_bytes_source"] as? String
        #expect(source == "cgroup" || source == "physical_memory")
        #expect((derivedLimits?["max_inflight_bytes"] as? Int ?? 0) > 0)
    }

    @Test("errors libmicrohttpd answers itself are counted in /metrics")
    func libraryErrorsCounted() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try server.client()
        try client.send(Array("GARBAGE\r\n\r\n".utf8))
        #expect(try client.readResponse().status == 400)
        try #require(eventually(within: 10) {
            (try? server.request("GET", "/metrics").bodyText)?
                .contains("rope_http_library_errors_total{status=\"400\",error_type=\"malformed_request\"} 1") == true
        })
    }
}

@Suite("Large requests off the worker threads")
struct HeavyRequestTests {
    @Test("a request whose worst case reaches 8 MiB is computed on the pool and answered in full")
    func offloadedRequestAnswered() throws {
        let server = try TestServer()
        defer { server.stop() }
        let body = AdmissionTests.rotateBody(bytes: 400_000)   // worst case about 10 MB
        let rows = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let expectedRows = (rows?["embeddings"] as? [Any])?.count ?? -1
        for _ in 0..<3 {
            let response = try server.request("POST", "/rotate", body: body)
            #expect(response.status == 200)
            #expect((response.json?["embeddings"] as? [Any])?.count == expectedRows)
        }
        #expect(try server.request("GET", "/health").status == 200)
    }
}
