import CMicroHTTPD
import Foundation
import Synchronization

/// An HTTP server on libmicrohttpd: an internal epoll thread plus a pool of workers, each request routed by `Router`.
///
/// Bodies are accumulated per connection and freed when libmicrohttpd reports the request complete; every answer,
/// error or not, is a response built by the router (never one of libmicrohttpd's HTML pages).
public final class HTTPServer: Sendable {
    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible, Sendable {
        /// What went wrong, for the operator.
        public var description: String
    }

    let router: Router
    let configuration: ServerConfiguration
    private let daemon = Mutex<DaemonHandle?>(nil)
    private let bindAddress: BindAddress
    let inFlight = Atomic<Int>(0)
    /// Shared with the handlers: set when draining begins.
    public let lifecycle: Lifecycle

    private let boundPort = Atomic<Int>(0)

    /// The port actually bound (the configured one, or the one the kernel chose for port 0).
    public var port: Int { boundPort.load(ordering: .relaxed) }

    /// Binds and starts serving at once.
    public init(configuration: ServerConfiguration, router: Router, lifecycle: Lifecycle = Lifecycle()) throws(StartError) {
        self.configuration = configuration
        self.lifecycle = lifecycle
        self.router = router
        guard (0...65_535).contains(configuration.port) else {
            throw StartError(description: "port \(configuration.port) is outside 0...65535")
        }
        guard let address = BindAddress(host: configuration.host, port: UInt16(configuration.port)) else {
            throw StartError(description: "host '\(configuration.host)' is not an IPv4 or IPv6 address")
        }
        bindAddress = address
        let handle = try start()
        boundPort.store(Int(rope_mhd_bound_port(handle.pointer)), ordering: .relaxed)
        daemon.withLock { $0 = handle }
    }

    private func start() throws(StartError) -> DaemonHandle {
        let limits = configuration.limits
        var flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_USE_ITC.rawValue
        if bindAddress.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        let context = Unmanaged.passUnretained(self).toOpaque()
        let pointer = bindAddress.withSockaddr { address -> OpaquePointer? in
            var settings = rope_mhd_settings(
                flags: UInt32(flags),
                port: UInt16(configuration.port),
                bind_address: address,
                thread_pool_size: UInt32(clamping: configuration.effectiveThreads),
                connection_timeout: UInt32(clamping: limits.connectionTimeoutSeconds),
                connection_memory_limit: limits.connectionMemoryLimit,
                connection_limit: UInt32(clamping: limits.maxConnections),
                listen_backlog: 1024,
                handler: mhdAccessHandler,
                handler_context: context,
                completed: mhdRequestCompleted,
                completed_context: context)
            return rope_mhd_start(&settings)
        }
        guard let pointer else {
            throw StartError(description: "cannot listen on \(configuration.host):\(configuration.port) (address in use, or not permitted)")
        }
        return DaemonHandle(pointer: pointer)
    }

    /// Number of requests being handled right now.
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// Stops accepting connections, waits up to `timeout` for in-flight requests, then stops. Idempotent.
    public func drainAndStop(timeout: Duration) {
        lifecycle.beginDraining()
        daemon.withLock { handle in
            if let handle { _ = MHD_quiesce_daemon(handle.pointer) }
        }
        let deadline = ContinuousClock.now + timeout
        while requestsInFlight > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        stop()
    }

    /// Stops at once: closes the listening socket and every connection. Idempotent.
    public func stop() {
        let handle = daemon.withLock { handle -> DaemonHandle? in
            defer { handle = nil }
            return handle
        }
        if let handle { MHD_stop_daemon(handle.pointer) }
    }

    deinit { stop() }
}

/// The daemon pointer, which libmicrohttpd lets any thread use.
struct DaemonHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
