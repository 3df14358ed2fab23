/// The metrics step: records each request's life in `Metrics` (in flight from its headers to its end; once
/// answered, its route, method, status, bytes, duration and error type) and the connections open.
struct RequestMetrics: Sendable {
    /// The tables served at /metrics.
    let metrics: Metrics
    /// Knows the route label of a path (`unmatched` for an unknown one, so the label set stays bounded).
    let router: Router

    /// A request's headers arrived.
    func started() { metrics.requestStarted() }

    /// A request is over (answered, timed out, or the client left).
    func finished() { metrics.requestFinished() }

    /// A connection opened (+1) or closed (-1).
    func connectionChanged(by delta: Int) { metrics.connectionChanged(by: delta) }

    /// Connections open right now.
    var connectionsOpen: Int { metrics.connectionsOpen }

    /// Records an answered request.
    func answered(method: String, path: String, status: Int, requestBytes: Int, responseBytes: Int,
                  duration: Duration, errorType: String?) {
        metrics.recordRequest(route: router.routeLabel(for: path), method: method, status: status,
                              requestBytes: requestBytes, responseBytes: responseBytes, duration: duration,
                              errorType: errorType)
    }
}
