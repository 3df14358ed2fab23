import CMicroHTTPD
import Foundation
import Synchronization

/// An HTTP server on libmicrohttpd: a pool of internal poll threads, each request routed by `Router`, with the
/// policy around the router (API key, connection budget, body size, memory budget, metrics, access log) left to
/// `RequestSteps`.
///
/// Bodies are accumulated per connection and freed when libmicrohttpd reports the request complete; every answer,
/// error or not, is a response built by the router or a step, except for requests that are not well-formed
/// HTTP/1.x, which libmicrohttpd refuses itself before the handler runs, in the same JSON shape
/// (deps/libmicrohttpd/json-errors.patch).
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
    /// Shared with the handlers: draining flag, metrics, request log.
    public let runtime: ServerRuntime

    private let boundPort = Atomic<Int>(0)
    /// The memory budget and the requests waiting for it.
    let admission: Admission
    /// The steps around the router.
    let steps: RequestSteps
    /// Where large requests are computed, off the worker threads.
    let heavyPool: HeavyRequestPool

    /// The port actually bound (the configured one, or the one the kernel chose for port 0).
    public var port: Int { boundPort.load(ordering: .relaxed) }

    /// Binds and starts serving at once.
    public init(configuration: ServerConfiguration, router: Router,
                runtime: ServerRuntime = ServerRuntime()) throws(StartError) {
        self.configuration = configuration
        self.runtime = runtime
        self.router = router
        guard (0...65_535).contains(configuration.port) else {
            throw StartError(description: "port \(configuration.port) is outside 0...65535")
        }
        guard let address = BindAddress(host: configuration.host, port: UInt16(configuration.port)) else {
            throw StartError(description: "host '\(configuration.host)' is not an IPv4 or IPv6 address")
        }
        bindAddress = address
        let pool = HeavyRequestPool(threads: configuration.effectiveThreads)
        heavyPool = pool
        admission = Admission(budget: InflightBudget(limits: configuration.limits),
                              waitMilliseconds: configuration.limits.admissionWaitMilliseconds,
                              metrics: runtime.metrics, onBurstOver: { pool.giveArenasBack() })
        steps = RequestSteps(limits: configuration.limits, apiKey: configuration.apiKey, runtime: runtime,
                             router: router, admission: admission)
        let handle = try start()
        boundPort.store(Int(rope_mhd_bound_port(handle.pointer)), ordering: .relaxed)
        daemon.withLock { $0 = handle }
    }

    private func start() throws(StartError) -> DaemonHandle {
        let limits = configuration.limits
        // poll, not epoll: libmicrohttpd 0.9.75's edge-triggered epoll loop misses a client's FIN that arrives together
        // with a partial body, leaving the connection (and its request) open until the timeout. Level-triggered poll
        // sees it at once (HostileClientTests.earlyDisconnects).
        // Suspend/resume: requests waiting for memory, and large ones computed by `heavyPool`.
        var flags = MHD_USE_POLL_INTERNAL_THREAD.rawValue | MHD_USE_ITC.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
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
                connection_limit: UInt32(clamping: steps.connectionBudget.libraryLimit),
                listen_backlog: 1024,
                handler: mhdAccessHandler,
                handler_context: context,
                completed: mhdRequestCompleted,
                completed_context: context,
                connection_notify: mhdConnectionNotified,
                connection_notify_context: context,
                library_error: mhdLibraryError,
                library_error_context: context)
            return rope_mhd_start(&settings)
        }
        guard let pointer else {
            admission.stop()
            heavyPool.stop()
            throw StartError(description: "cannot listen on \(configuration.host):\(configuration.port) "
                                          + "(address in use, or not permitted)")
        }
        return DaemonHandle(pointer: pointer)
    }

    /// Number of requests being handled right now.
    public var requestsInFlight: Int { runtime.metrics.requestsInFlight }

    /// Starts draining: /health turns 503 and new connections are refused at once (the listening socket is shut
    /// down); connections already open keep being served, with `Connection: close`. Idempotent.
    public func stopAccepting() {
        runtime.beginDraining()
        daemon.withLock { handle in
            guard let handle, handle.quiescedSocket.load(ordering: .relaxed) < 0 else { return }
            let socket = MHD_quiesce_daemon(handle.pointer)
            // libmicrohttpd hands the socket back but its threads may look at it until MHD_stop_daemon:
            // shut it down now (connects are refused) and close it only after the daemon has stopped.
            if socket >= 0 {
                shutdown(socket, Int32(SHUT_RDWR))
                handle.quiescedSocket.store(socket, ordering: .relaxed)
            }
        }
    }

    /// Stops accepting connections, waits up to `timeout` for in-flight requests, then stops. Idempotent.
    public func drainAndStop(timeout: Duration) {
        stopAccepting()
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
        // No connection may stay suspended when the daemon stops: waiters are refused, computations finish.
        admission.stop()
        heavyPool.stop()
        if let handle {
            MHD_stop_daemon(handle.pointer)
            let socket = handle.quiescedSocket.load(ordering: .relaxed)
            if socket >= 0 { close(socket) }
        }
    }

    deinit { stop() }
}

/// The daemon pointer, which libmicrohttpd lets any thread use, and the listening socket once quiesced.
final class DaemonHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    /// The socket `MHD_quiesce_daemon` returned (-1 before), closed after `MHD_stop_daemon`.
    let quiescedSocket = Atomic<Int32>(-1)

    init(pointer: OpaquePointer) { self.pointer = pointer }
}
