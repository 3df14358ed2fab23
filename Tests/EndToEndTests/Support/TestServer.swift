import Foundation
import RoPE
import RoPEServer

/// A real rope-server (libmicrohttpd, real socket) started in-process on 127.0.0.1, port 0.
/// Tests stop it with `stop()` (also done on deinit).
final class TestServer {
    let server: HTTPServer
    let runtime: ServerRuntime
    var port: Int { server.port }

    init(logLevel: LogLevel = .error, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        runtime = ServerRuntime(log: RequestLog(level: logLevel, format: .json))
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.threads = 2
        configure(&configuration)
        let openAPI = try? String(contentsOf: RepositoryPaths.root.appendingPathComponent("openapi.yaml"),
                                  encoding: .utf8)
        let explorer = try? String(contentsOf: RepositoryPaths.root.appendingPathComponent("web/explorer.html"),
                                   encoding: .utf8)
        // Each test server has its own engine, as each process has.
        let engine = Engine(parallelThreshold: configuration.parallelThreshold)
        let context = ServiceContext(configuration: configuration, engine: engine, openAPIDocument: openAPI,
                                     explorerPage: explorer.map(ExplorerPage.init), runtime: runtime)
        server = try HTTPServer(configuration: configuration, router: RoPEService.router(context: context),
                                runtime: runtime)
    }

    func client() throws -> RawHTTPClient { try RawHTTPClient(port: port) }

    /// One request on a fresh connection.
    func request(_ method: String, _ target: String, json: Any? = nil, body: [UInt8]? = nil,
                 contentType: String? = "application/json", headers: [String: String] = [:]) throws -> RawResponse {
        var bytes = body
        if let json { bytes = Array(try JSONSerialization.data(withJSONObject: json)) }
        return try client().request(method, target, body: bytes, contentType: contentType, headers: headers)
    }

    func stop() { server.stop() }
    deinit { server.stop() }
}

/// Paths inside the repository, found from this file's location (works from any clone).
enum RepositoryPaths {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = root.appendingPathComponent("Tests/Golden")
}
