import Synchronization

/// State shared by the server and its handlers over the process's life: the draining flag, the metrics and the
/// request log.
public final class ServerRuntime: Sendable {
    private let drainingFlag = Atomic<Bool>(false)
    /// Counters and histograms served at /metrics.
    public let metrics: Metrics
    /// Where request lines and events go.
    public let log: RequestLog
    /// Ids for requests that come without a usable `X-Request-Id`.
    public let requestIDs = RequestIDGenerator()

    /// A runtime in the serving state.
    public init(metrics: Metrics = Metrics(), log: RequestLog = RequestLog(level: .info, format: .json)) {
        self.metrics = metrics
        self.log = log
    }

    /// Whether shutdown has begun (then /health answers 503 and responses carry `Connection: close`).
    public var isDraining: Bool { drainingFlag.load(ordering: .relaxed) }

    /// Marks the start of shutdown.
    public func beginDraining() { drainingFlag.store(true, ordering: .relaxed) }
}
