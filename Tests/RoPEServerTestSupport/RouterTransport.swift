import Foundation
import RoPEServer

/// Sends requests straight to the service's router, in process: no socket, no server threads, no steps around the
/// router (API key, connection budget, declared size, memory admission, metrics, request ids).
///
/// The request is built as the server builds it: the target split and decoded as libmicrohttpd does it
/// (`RequestTarget`), `Host`, and with a body its `Content-Type` and `Content-Length`, a repeated header name keeping
/// its first value. The answer carries what libmicrohttpd adds on the wire: `Content-Length`, and no body for HEAD.
public struct RouterTransport: TestTransport, Sendable {
    /// The context the routes read (configuration, engine, runtime).
    public let context: ServiceContext
    /// The service's router over `context`.
    public let router: Router

    /// The service with the test configuration changed by `configure`.
    public init(configure: (inout ServerConfiguration) -> Void = { _ in }) {
        context = TestService.context(TestService.configuration(configure), runtime: ServerRuntime())
        router = RoPEService.router(context: context)
    }

    public func request(_ method: String, _ target: String, body: [UInt8]?, contentType: String?,
                        headers: [String: String]) -> TestResponse {
        let parsed = RequestTarget(target)
        var sent = ["host": "127.0.0.1"]
        if let body {
            if let contentType { sent["content-type"] = contentType }
            sent["content-length"] = String(body.count)
        }
        for (name, value) in headers where sent[name.lowercased()] == nil { sent[name.lowercased()] = value }
        let router = router, headers = sent
        return Self.onThreadOfItsOwn {
            Self.respond(router, method, parsed, headers, body ?? [])
        }
    }

    private static func respond(_ router: Router, _ method: String, _ parsed: RequestTarget,
                                _ sent: [String: String], _ body: [UInt8]) -> TestResponse {
        body.withUnsafeBytes { bytes in
            let response = router.respond(to: HTTPRequest(method: method, path: parsed.path, query: parsed.queryPairs,
                                                          headers: sent, body: bytes))
            let received = response.body.withUnsafeBytes { Array($0) }
            var headers = ["content-type": response.contentType, "content-length": String(received.count)]
            for (name, value) in response.headers { headers[name.lowercased()] = value }
            return TestResponse(status: response.status, headers: headers, body: method == "HEAD" ? [] : received)
        }
    }
}

/// Runs `work` on a new thread and waits for it. A server runs the router on its own worker threads while the test
/// waits for the answer; here too, so that requests do not take the few threads Swift Testing runs tests on (a test
/// that sleeps or waits on a socket holds one of them), and suites compute as much in parallel as with a server.
/// A POSIX thread joined, so that the sanitizers see the hand-over (they do not see into Dispatch's semaphores).
extension RouterTransport {
    fileprivate static func onThreadOfItsOwn(_ work: @escaping @Sendable () -> TestResponse) -> TestResponse {
        final class Job {
            let work: @Sendable () -> TestResponse
            var response: TestResponse?
            init(_ work: @escaping @Sendable () -> TestResponse) { self.work = work }
        }
        let job = Job(work)
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            let job = Unmanaged<Job>.fromOpaque(context!).takeUnretainedValue()
            job.response = job.work()
            return nil
        }, Unmanaged.passUnretained(job).toOpaque())
        precondition(created == 0, "pthread_create failed: \(created)")
        pthread_join(thread, nil)
        return job.response!
    }
}
