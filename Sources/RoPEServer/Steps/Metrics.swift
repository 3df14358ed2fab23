import Foundation
import Synchronization

/// Prometheus metrics of the service: requests by route, method and status with a duration histogram,
/// bytes in and out, engine time, errors by type, requests in flight and build info.
///
/// One `Mutex` guards the tables; a request takes it once, when its answer is recorded.
public final class Metrics: Sendable {
    /// Upper bounds of the duration histogram buckets, in seconds.
    public static let durationBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    private struct RequestKey: Hashable { var route: String, method: String, status: Int }

    private struct Histogram {
        var buckets = [Int](repeating: 0, count: Metrics.durationBuckets.count)
        var sum = 0.0
        var count = 0

        mutating func observe(_ seconds: Double) {
            if let index = Metrics.durationBuckets.firstIndex(where: { seconds <= $0 }) { buckets[index] += 1 }
            sum += seconds
            count += 1
        }
    }

    private struct Tables {
        var requests: [RequestKey: Histogram] = [:]
        var requestBytes: [String: Int] = [:]
        var responseBytes: [String: Int] = [:]
        var engine: [String: Histogram] = [:]
        var errors: [String: Int] = [:]
        var libraryErrors: [LibraryErrorKey: Int] = [:]
    }

    private struct LibraryErrorKey: Hashable { var status: Int, errorType: String }

    private let tables = Mutex(Tables())
    private let inFlight = Atomic<Int>(0)
    private let openConnections = Atomic<Int>(0)
    private let budgetBytes = Atomic<Int>(0)
    private let reservedBytes = Atomic<Int>(0)
    private let waiting = Atomic<Int>(0)
    private let refusedMemory = Atomic<Int>(0)
    private let version: String

    /// Creates empty metrics for a build of `version`.
    public init(version: String = RoPEService.version) {
        self.version = version
    }

    /// A request has started.
    func requestStarted() { inFlight.add(1, ordering: .relaxed) }

    /// A request has finished (answered, timed out, or the client left).
    func requestFinished() { inFlight.subtract(1, ordering: .relaxed) }

    /// Requests being handled right now.
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    /// A connection opened (+1) or closed (-1); returns the count after the change.
    @discardableResult
    func connectionChanged(by delta: Int) -> Int {
        openConnections.add(delta, ordering: .relaxed).newValue
    }

    /// Connections open right now.
    public var connectionsOpen: Int { openConnections.load(ordering: .relaxed) }

    /// The memory budget in force (`max_inflight_bytes`).
    func memoryBudgetSet(_ bytes: Int) { budgetBytes.store(bytes, ordering: .relaxed) }

    /// Bytes reserved by requests in flight, after a change.
    func memoryReservedSet(_ bytes: Int) { reservedBytes.store(bytes, ordering: .relaxed) }

    /// A request started (+1) or stopped (-1) waiting for room in the memory budget.
    func admissionWaitingChanged(by delta: Int) { waiting.add(delta, ordering: .relaxed) }

    /// A request was refused because the memory budget was in use.
    func refusedForMemory() { refusedMemory.add(1, ordering: .relaxed) }

    /// Requests refused so far because the memory budget was in use.
    public var requestsRefusedForMemory: Int { refusedMemory.load(ordering: .relaxed) }

    /// Requests waiting for room in the memory budget right now.
    public var requestsWaitingForMemory: Int { waiting.load(ordering: .relaxed) }

    /// Records an error libmicrohttpd answered itself, before any handler ran.
    func recordLibraryError(status: Int, errorType: String) {
        tables.withLock { $0.libraryErrors[LibraryErrorKey(status: status, errorType: errorType), default: 0] += 1 }
    }

    /// Records an answered request.
    func recordRequest(route: String, method: String, status: Int, requestBytes: Int, responseBytes: Int,
                       duration: Duration, errorType: String?) {
        let seconds = duration.seconds
        tables.withLock { tables in
            let key = RequestKey(route: route, method: method, status: status)
            tables.requests[key, default: Histogram()].observe(seconds)
            tables.requestBytes[route, default: 0] += requestBytes
            tables.responseBytes[route, default: 0] += responseBytes
            if let errorType { tables.errors[errorType, default: 0] += 1 }
        }
    }

    /// Records time spent in the RoPE engine for a route.
    public func recordEngine(route: String, duration: Duration) {
        tables.withLock { $0.engine[route, default: Histogram()].observe(duration.seconds) }
    }

    /// Runs `work`, recording its duration as engine time for `route`.
    public func timeEngine<T, E: Error>(route: String, _ work: () throws(E) -> T) throws(E) -> T {
        let start = ContinuousClock.now
        defer { recordEngine(route: route, duration: ContinuousClock.now - start) }
        return try work()
    }

    /// The Prometheus text exposition (format 0.0.4).
    public func exposition() -> String {
        let snapshot = tables.withLock { $0 }
        var text = ""
        func header(_ name: String, _ type: String, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func labels(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        func histogram(_ name: String, _ pairs: [(String, String)], _ histogram: Histogram) {
            var cumulative = 0
            for (bound, count) in zip(Metrics.durationBuckets, histogram.buckets) {
                cumulative += count
                text += "\(name)_bucket\(labels(pairs + [("le", format(bound))])) \(cumulative)\n"
            }
            text += "\(name)_bucket\(labels(pairs + [("le", "+Inf")])) \(histogram.count)\n"
            text += "\(name)_sum\(labels(pairs)) \(format(histogram.sum))\n"
            text += "\(name)_count\(labels(pairs)) \(histogram.count)\n"
        }
        let requestKeys = snapshot.requests.keys.sorted {
            ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status)
        }

        header("rope_http_requests_total", "counter", "Requests answered, by route, method and status.")
        for key in requestKeys {
            let pairs = [("route", key.route), ("method", key.method), ("status", String(key.status))]
            text += "rope_http_requests_total\(labels(pairs)) \(snapshot.requests[key]!.count)\n"
        }
        header("rope_http_request_duration_seconds", "histogram",
               "Time from the request's headers to its answer being queued.")
        for key in requestKeys {
            histogram("rope_http_request_duration_seconds",
                      [("route", key.route), ("method", key.method), ("status", String(key.status))],
                      snapshot.requests[key]!)
        }
        header("rope_http_requests_in_flight", "gauge", "Requests being received or handled.")
        text += "rope_http_requests_in_flight \(requestsInFlight)\n"
        header("rope_http_connections_open", "gauge", "Open client connections.")
        text += "rope_http_connections_open \(connectionsOpen)\n"
        header("rope_http_request_bytes_total", "counter", "Request body bytes received, by route.")
        for route in snapshot.requestBytes.keys.sorted() {
            text += "rope_http_request_bytes_total\(labels([("route", route)])) \(snapshot.requestBytes[route]!)\n"
        }
        header("rope_http_response_bytes_total", "counter", "Response body bytes sent, by route.")
        for route in snapshot.responseBytes.keys.sorted() {
            text += "rope_http_response_bytes_total\(labels([("route", route)])) \(snapshot.responseBytes[route]!)\n"
        }
        header("rope_engine_duration_seconds", "histogram",
               "Time spent in the RoPE engine (rotation, attention, tables), by route.")
        for route in snapshot.engine.keys.sorted() {
            histogram("rope_engine_duration_seconds", [("route", route)], snapshot.engine[route]!)
        }
        header("rope_http_errors_total", "counter", "Error responses, by error_type.")
        for type in snapshot.errors.keys.sorted() {
            text += "rope_http_errors_total\(labels([("error_type", type)])) \(snapshot.errors[type]!)\n"
        }
        header("rope_memory_budget_bytes", "gauge", "The memory budget for requests in flight (max_inflight_bytes).")
        text += "rope_memory_budget_bytes \(budgetBytes.load(ordering: .relaxed))\n"
        header("rope_memory_reserved_bytes", "gauge", "Bytes reserved by requests in flight (their worst cases).")
        text += "rope_memory_reserved_bytes \(reservedBytes.load(ordering: .relaxed))\n"
        header("rope_admission_waiting", "gauge", "Requests waiting for room in the memory budget.")
        text += "rope_admission_waiting \(requestsWaitingForMemory)\n"
        header("rope_admission_refused_total", "counter",
               "Requests refused (503 overloaded) because the memory budget was in use.")
        text += "rope_admission_refused_total \(requestsRefusedForMemory)\n"
        header("rope_http_library_errors_total", "counter",
               "Requests libmicrohttpd answered itself (malformed or oversized heads), by status and error_type.")
        let libraryKeys = snapshot.libraryErrors.keys.sorted { ($0.status, $0.errorType) < ($1.status, $1.errorType) }
        for key in libraryKeys {
            let pairs = [("status", String(key.status)), ("error_type", key.errorType)]
            text += "rope_http_library_errors_total\(labels(pairs)) \(snapshot.libraryErrors[key]!)\n"
        }
        header("rope_build_info", "gauge", "Build information; the value is always 1.")
        text += "rope_build_info\(labels([("version", version), ("swift", swiftVersion)])) 1\n"
        return text
    }

    private var swiftVersion: String {
        #if compiler(>=6.3)
        "6.3"
        #else
        "6"
        #endif
    }

    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
