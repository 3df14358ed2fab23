/// What the steps may ask of the connection a request arrives on, so that they know no HTTP library: its request
/// headers, and holding it while the request waits (for room in the memory budget, or for a drain slot).
protocol RequestConnection: Sendable {
    /// The value of a request header by case-insensitive name (the first of repeated names), nil when absent.
    func header(_ name: String) -> String?
    /// Stops serving the connection until `resume` is called; called on the thread that serves it.
    func suspend()
    /// Serves a suspended connection again; callable from any thread.
    func resume()
}
