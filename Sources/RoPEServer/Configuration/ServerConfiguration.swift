/// The effective configuration of one server process: where it listens, how many threads, and its limits.
public struct ServerConfiguration: Sendable, Hashable {
    /// Address to bind, IPv4 or IPv6 literal (`0.0.0.0` = every IPv4 interface, `::` = every interface).
    public var host: String = "0.0.0.0"
    /// TCP port; 0 picks a free one (read back from `HTTPServer.port`).
    public var port: Int = 8080
    /// libmicrohttpd worker threads; 0 means one per core.
    public var threads: Int = 0
    /// Tensors with at least this many elements are rotated on all cores; smaller ones stay on the connection's thread.
    public var parallelThreshold: Int = Engine.defaultParallelThreshold
    /// The limits.
    public var limits = ServerLimits()
    /// When set, every route but /health needs `Authorization: Bearer <apiKey>` (or the key as a Basic password).
    public var apiKey: String?

    /// The defaults (same as `config/rope-server.json`).
    public init() {}

    /// Worker threads after resolving 0 to the core count.
    public var effectiveThreads: Int {
        threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}

import Foundation
import RoPE
