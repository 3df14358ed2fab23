/// The connection budget (`max_connections`): a request that arrives while more connections are open is answered
/// 503 in JSON from its headers alone, so an overloaded server still answers instead of refusing connections.
struct ConnectionBudget: Sendable {
    /// Connections served normally.
    let maxConnections: Int

    /// The hard limit handed to the HTTP library: the connections between `maxConnections` and this one are
    /// answered 503 by `check`; past it the library refuses them outright.
    var libraryLimit: Int { maxConnections + max(16, maxConnections / 8) }

    /// 503 `too_many_connections` with `Retry-After` when `openConnections` exceeds the budget.
    func check(openConnections: Int) throws(HTTPError) {
        guard openConnections > maxConnections else { return }
        throw HTTPError(status: 503, type: "too_many_connections",
                        "the server has \(maxConnections) connections open (max_connections); retry later",
                        headers: [("Retry-After", "1")])
    }
}
