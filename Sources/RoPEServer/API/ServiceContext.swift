import RoPE

/// What every endpoint may read: the effective configuration, the engine and facts about the running build.
public struct ServiceContext: Sendable {
    /// The configuration the server runs with.
    public var configuration: ServerConfiguration
    /// The engine every endpoint computes with (its caches and parallel threshold).
    public var engine: Engine
    /// The service version (also in /info and the startup log).
    public var version: String
    /// The OpenAPI document served at /openapi.yaml (nil when the file was not found).
    public var openAPIDocument: String?
    /// The explorer page served at / (nil when the file was not found).
    public var explorerPage: ExplorerPage?
    /// Draining flag (for /health) and metrics (engine time, /metrics).
    public var runtime: ServerRuntime

    /// Creates the context; `engine` is made once by the process (or by a test) and shared by every request.
    public init(configuration: ServerConfiguration, engine: Engine, version: String = RoPEService.version,
                openAPIDocument: String?, explorerPage: ExplorerPage? = nil, runtime: ServerRuntime = ServerRuntime()) {
        self.configuration = configuration
        self.engine = engine
        self.version = version
        self.openAPIDocument = openAPIDocument
        self.explorerPage = explorerPage
        self.runtime = runtime
    }

    /// The limits in force.
    public var limits: ServerLimits { configuration.limits }
}
