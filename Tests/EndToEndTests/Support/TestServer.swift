import Foundation
import RoPE
import RoPEServer
import RoPEServerTestSupport

/// A real rope-server (libmicrohttpd, real socket) started in-process on 127.0.0.1, port 0.
/// Tests stop it with `stop()` (also done on deinit).
final class TestServer: TestTransport {
    let server: HTTPServer
    let runtime: ServerRuntime
    var port: Int { server.port }

    init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        runtime = ServerRuntime(log: RequestLog(level: .error, format: .json))
        let configuration = TestService.configuration(configure)
        let context = TestService.context(configuration, runtime: runtime)
        server = try HTTPServer(configuration: configuration, router: RoPEService.router(context: context),
                                runtime: runtime)
    }

    func client() throws -> RawHTTPClient { try RawHTTPClient(port: port) }

    /// One request on a fresh connection.
    func request(_ method: String, _ target: String, body: [UInt8]?, contentType: String?,
                 headers: [String: String]) throws -> TestResponse {
        try client().request(method, target, body: body, contentType: contentType, headers: headers)
    }

    func stop() { server.stop() }
    deinit { server.stop() }
}
