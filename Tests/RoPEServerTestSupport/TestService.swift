import Foundation
import RoPE
import RoPEServer

/// The service as tests run it: the configuration of a server on 127.0.0.1, port 0, two threads, and the
/// repository's openapi.yaml and explorer page.
public enum TestService {
    /// The test configuration, changed by `configure`.
    public static func configuration(_ configure: (inout ServerConfiguration) -> Void) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.threads = 2
        configure(&configuration)
        return configuration
    }

    /// A context with an engine of its own, as each server process has.
    public static func context(_ configuration: ServerConfiguration, runtime: ServerRuntime) -> ServiceContext {
        ServiceContext(configuration: configuration,
                       engine: Engine(parallelThreshold: configuration.parallelThreshold),
                       openAPIDocument: openAPI, explorerPage: explorerPage, runtime: runtime)
    }

    /// The repository's openapi.yaml and explorer page, read once per test process.
    private static let openAPI = try? String(contentsOf: RepositoryPaths.root.appendingPathComponent("openapi.yaml"),
                                             encoding: .utf8)
    private static let explorerPage = (try? String(
        contentsOf: RepositoryPaths.root.appendingPathComponent("web/explorer.html"), encoding: .utf8
    )).map(ExplorerPage.init)
}
