import Synchronization

/// State shared by the server and its handlers over the process's life: whether it is draining.
public final class Lifecycle: Sendable {
    private let drainingFlag = Atomic<Bool>(false)

    /// A lifecycle in the serving state.
    public init() {}

    /// Whether shutdown has begun (then /health answers 503).
    public var isDraining: Bool { drainingFlag.load(ordering: .relaxed) }

    /// Marks the start of shutdown.
    public func beginDraining() { drainingFlag.store(true, ordering: .relaxed) }
}
