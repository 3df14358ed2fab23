import RoPEServer
import RoPEServerTestSupport
import Testing

/// The two ways a test can reach the service, so one test body runs both: through the router in process, and over
/// a socket to a real server (what libmicrohttpd and the steps around the router add must not change the answer).
enum Transport: String, CaseIterable, CustomTestStringConvertible {
    case inProcess
    case socket

    var testDescription: String { rawValue }

    /// The service configured by `configure`, reached this way.
    func start(configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> ServiceUnderTest {
        switch self {
        case .inProcess:
            return ServiceUnderTest(transport: RouterTransport(configure: configure), server: nil)
        case .socket:
            let server = try TestServer(configure: configure)
            return ServiceUnderTest(transport: server, server: server)
        }
    }
}

/// The service as one test reaches it; `stop()` stops the server started for it, if there is one.
struct ServiceUnderTest: TestTransport {
    let transport: any TestTransport
    let server: TestServer?

    func request(_ method: String, _ target: String, body: [UInt8]?, contentType: String?,
                 headers: [String: String]) throws -> TestResponse {
        try transport.request(method, target, body: body, contentType: contentType, headers: headers)
    }

    func stop() { server?.stop() }
}
