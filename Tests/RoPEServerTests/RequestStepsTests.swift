import Foundation
@testable import RoPEServer
import Synchronization
import Testing

/// The steps around the router without a socket: the API key, the connection budget, the declared body size, their
/// order, and admission to the memory budget on a connection that records what the gate asks of it.
@Suite("Request steps")
struct RequestStepsTests {
    /// A connection with fixed headers that counts how often it is suspended and resumed.
    final class RecordingConnection: RequestConnection {
        let headers: [String: String]
        let suspensions = Atomic<Int>(0)
        let resumptions = Atomic<Int>(0)

        init(_ headers: [String: String] = [:]) { self.headers = headers }

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
        func suspend() { suspensions.add(1, ordering: .relaxed) }
        func resume() { resumptions.add(1, ordering: .relaxed) }
    }

    private static let bearerChallenge = "Bearer realm=\"rope-server\""
    private static let basicChallenge = "Basic realm=\"rope-server\", charset=\"UTF-8\""

    private func authorizationError(_ authorization: Authorization, path: String, header: String?) -> HTTPError? {
        do throws(HTTPError) {
            try authorization.check(path: path, authorizationHeader: header)
            return nil
        } catch {
            return error
        }
    }

    @Test("no key configured: no authorization step")
    func noKey() {
        #expect(Authorization(apiKey: nil) == nil)
        #expect(Authorization(apiKey: "") == nil)
    }

    @Test("the key passes as a bearer token or as a Basic password; /health needs none")
    func keyAccepted() throws {
        let authorization = try #require(Authorization(apiKey: "s3cret"))
        #expect(authorizationError(authorization, path: "/rotate", header: "Bearer s3cret") == nil)
        #expect(authorizationError(authorization, path: "/rotate", header: "bearer s3cret") == nil)
        let basic = "Basic " + Data("anyone:s3cret".utf8).base64EncodedString()
        #expect(authorizationError(authorization, path: "/", header: basic) == nil)
        #expect(authorizationError(authorization, path: "/health", header: nil) == nil)
    }

    @Test("a missing or wrong key is 401 with a Bearer challenge, and Basic too at /")
    func keyRefused() throws {
        let authorization = try #require(Authorization(apiKey: "s3cret"))
        let missing = try #require(authorizationError(authorization, path: "/info", header: nil))
        #expect(missing.status == 401)
        #expect(missing.type == "unauthorized")
        #expect(missing.message == "this server needs 'Authorization: Bearer <api key>'")
        #expect(missing.headers.map(\.value) == [Self.bearerChallenge])
        let wrong = try #require(authorizationError(authorization, path: "/info", header: "Bearer s3cre"))
        #expect(wrong.message == "the API key is not valid")
        let longer = try #require(authorizationError(authorization, path: "/info", header: "Bearer s3cret!"))
        #expect(longer.message == "the API key is not valid")
        let atRoot = try #require(authorizationError(authorization, path: "/", header: "Basic !!!"))
        #expect(atRoot.message == "this server needs 'Authorization: Bearer <api key>'")
        #expect(atRoot.headers.map(\.value) == [Self.bearerChallenge, Self.basicChallenge])
        #expect(authorizationError(authorization, path: "/info", header: "Bearers3cret") != nil)
    }

    @Test("the connection budget answers 503 with Retry-After past max_connections, and sets the library's limit")
    func connectionBudget() throws {
        let budget = ConnectionBudget(maxConnections: 10)
        #expect(throws: Never.self) { try budget.check(openConnections: 10) }
        let error = try #require(throws: HTTPError.self) { try budget.check(openConnections: 11) }
        #expect(error.status == 503)
        #expect(error.type == "too_many_connections")
        #expect(error.message == "the server has 10 connections open (max_connections); retry later")
        #expect(error.headers.map(\.name) == ["Retry-After"] && error.headers.map(\.value) == ["1"])
        // At least 16 connections, or an eighth more, are let in to be told 503.
        #expect(budget.libraryLimit == 26)
        #expect(ConnectionBudget(maxConnections: 1024).libraryLimit == 1152)
    }

    @Test("a declared Content-Length over max_body_bytes is 413; a chunked body (none declared) passes")
    func declaredBodySize() throws {
        let size = DeclaredBodySize(maxBodyBytes: 1000)
        #expect(throws: Never.self) { try size.check(declaredLength: nil) }
        #expect(throws: Never.self) { try size.check(declaredLength: 1000) }
        let error = try #require(throws: HTTPError.self) { try size.check(declaredLength: 1001) }
        #expect(error == .tooLarge("request body of 1001 bytes exceeds the limit of 1000 bytes (max_body_bytes)"))
    }

    private func steps(limits: ServerLimits, apiKey: String? = nil, budget: Int = 64 << 20,
                       waitMilliseconds: Int = 0) -> (RequestSteps, Admission, Metrics) {
        let metrics = Metrics()
        let runtime = ServerRuntime(metrics: metrics, log: RequestLog(level: .error, format: .json))
        let admission = Admission(budget: InflightBudget(configured: budget, processLimit: .current),
                                  waitMilliseconds: waitMilliseconds, metrics: metrics)
        let steps = RequestSteps(limits: limits, apiKey: apiKey, runtime: runtime, router: Router(),
                                 admission: admission)
        return (steps, admission, metrics)
    }

    private func pending(_ path: String, declared: Int?, steps: RequestSteps, limits: ServerLimits) -> PendingRequest {
        PendingRequest(method: "POST", url: path, requestID: "test", expectedLength: declared,
                       limit: limits.maxBodyBytes, gate: steps.admission)
    }

    private func refusal(_ decision: AdmissionDecision) -> HTTPError? {
        if case .refuse(let error) = decision { return error }
        return nil
    }

    @Test("a body without Content-Length reserves by its media types once it grows: .npy both ways less than JSON")
    func chunkedBodyMediaTypes() throws {
        let limits = ServerLimits()
        let (steps, admission, _) = steps(limits: limits)
        defer { admission.stop() }
        let chunk = [UInt8](repeating: 0, count: 4096)
        func reservation(_ headers: [String: String]) -> Int {
            let connection = RecordingConnection(headers)
            let request = pending("/rotate", declared: nil, steps: steps, limits: limits)
            guard case .proceed = steps.headersArrived(request, path: "/rotate", connection: connection) else {
                Issue.record("a chunked request was not admitted")
                return -1
            }
            chunk.withUnsafeBytes { request.append($0.baseAddress!, count: $0.count) }
            steps.admission.bodyGrew(request, connection: connection)
            defer { steps.completed(request) }
            return request.admission.reservedBytes
        }
        let body = chunk.count   // the first growth reserves for the body received so far
        let npy = reservation(["Content-Type": "application/x-npy", "Accept": "application/x-npy"])
        let json = reservation(["Content-Type": "application/json"])
        #expect(npy == RequestMemoryEstimate(method: "POST", path: "/rotate", bodyBytes: body,
                                             mediaType: "application/x-npy", answersNPY: true, limits: limits).bytes)
        #expect(json == RequestMemoryEstimate(method: "POST", path: "/rotate", bodyBytes: body,
                                              mediaType: "application/json", answersNPY: false, limits: limits).bytes)
        #expect(npy < json)
    }

    @Test("from the headers: connection budget first, then the API key, then the declared size, then admission")
    func headerStepsInOrder() throws {
        var limits = ServerLimits()
        limits.maxConnections = 1
        limits.maxBodyBytes = 100
        let (steps, admission, metrics) = steps(limits: limits, apiKey: "k")
        defer { admission.stop() }
        let oversized = RecordingConnection(["Authorization": "Bearer wrong"])
        metrics.connectionChanged(by: 2)
        let overBudget = steps.headersArrived(pending("/rotate", declared: 101, steps: steps, limits: limits),
                                              path: "/rotate", connection: oversized)
        #expect(refusal(overBudget)?.type == "too_many_connections")
        metrics.connectionChanged(by: -1)
        let badKey = steps.headersArrived(pending("/rotate", declared: 101, steps: steps, limits: limits),
                                          path: "/rotate", connection: oversized)
        #expect(refusal(badKey)?.status == 401)
        let keyed = RecordingConnection(["Authorization": "Bearer k"])
        let tooLarge = steps.headersArrived(pending("/rotate", declared: 101, steps: steps, limits: limits),
                                            path: "/rotate", connection: keyed)
        #expect(refusal(tooLarge)?.type == "payload_too_large")
        let request = pending("/rotate", declared: 100, steps: steps, limits: limits)
        let admitted = steps.headersArrived(request, path: "/rotate", connection: keyed)
        guard case .proceed = admitted else { Issue.record("expected .proceed, got \(admitted)"); return }
        #expect(request.admission.reservedBytes > 0)
        #expect(admission.reservedBytes == request.admission.reservedBytes)
        #expect(metrics.requestsInFlight == 4)
        steps.completed(request)
        #expect(admission.reservedBytes == 0)
        #expect(metrics.requestsInFlight == 3)
    }

    @Test("a request that can never fit the budget: body dropped first, or 413 at once when it awaits 100 Continue")
    func neverFits() throws {
        let limits = ServerLimits()
        let (steps, admission, _) = steps(limits: limits, budget: 1 << 20)
        defer { admission.stop() }
        let sending = pending("/rotate", declared: 1_000_000, steps: steps, limits: limits)
        let client = RecordingConnection()
        guard case .discardBody = steps.admission.headersArrived(sending, connection: client) else {
            Issue.record("expected .discardBody"); return
        }
        let dropped = try #require(steps.admission.continuing(sending, chunk: 4096, connection: client))
        #expect(dropped.dropsChunk)
        guard case .discardBody = dropped.decision else { Issue.record("expected .discardBody"); return }
        let end = try #require(steps.admission.continuing(sending, chunk: 0, connection: client))
        #expect(refusal(end.decision)?.type == "payload_too_large")
        steps.completed(sending)

        let waiting = pending("/rotate", declared: 1_000_000, steps: steps, limits: limits)
        let awaitsContinue = RecordingConnection(["Expect": "100-continue"])
        let refused = steps.admission.headersArrived(waiting, connection: awaitsContinue)
        #expect(refusal(refused)?.type == "payload_too_large")
        #expect(admission.reservedBytes == 0)
    }

    @Test("over a full budget a request waits, its connection suspended, until the server stops and refuses it")
    func waitsSuspended() throws {
        let limits = ServerLimits()
        let bytes = RequestMemoryEstimate(method: "POST", path: "/rotate", bodyBytes: 100_000,
                                          mediaType: nil, answersNPY: false, limits: limits).bytes
        // One such request fits the large class's share (seven eighths), two do not.
        let (steps, admission, metrics) = steps(limits: limits, budget: 2 * bytes, waitMilliseconds: 60_000)
        let first = pending("/rotate", declared: 100_000, steps: steps, limits: limits)
        guard case .proceed = steps.admission.headersArrived(first, connection: RecordingConnection()) else {
            Issue.record("expected the first request admitted"); return
        }
        let second = pending("/rotate", declared: 100_000, steps: steps, limits: limits)
        let client = RecordingConnection()
        guard case .suspended = steps.admission.headersArrived(second, connection: client) else {
            Issue.record("expected the second request to wait"); return
        }
        #expect(client.suspensions.load(ordering: .relaxed) == 1)
        #expect(metrics.requestsWaitingForMemory == 1)
        admission.stop()
        #expect(client.resumptions.load(ordering: .relaxed) == 1)
        // Refused on resumption; its body is on its way, so it is read and dropped before the answer.
        let resumed = try #require(steps.admission.continuing(second, chunk: 0, connection: client))
        #expect(!resumed.dropsChunk)
        guard case .discardBody = resumed.decision else { Issue.record("expected .discardBody"); return }
        let end = try #require(steps.admission.continuing(second, chunk: 0, connection: client))
        #expect(refusal(end.decision) == .unavailable("the server is shutting down"))
        steps.completed(first)
        steps.completed(second)
        #expect(admission.reservedBytes == 0)
    }
}
