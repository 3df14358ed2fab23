/// A function that answers one route; it may throw any error. It runs on a libmicrohttpd worker thread.
public typealias RouteHandler = @Sendable (HTTPRequest) throws -> HTTPResponse

/// Maps method and path to a handler: 404 for an unknown path, 405 (with `Allow`) for a known path and wrong method.
public struct Router: Sendable {
    private var routes: [String: [String: RouteHandler]] = [:]

    /// An empty router.
    public init() {}

    /// Registers `handler` for `method` on `path`. A GET route also answers HEAD.
    public mutating func add(_ method: String, _ path: String, _ handler: @escaping RouteHandler) {
        routes[path, default: [:]][method] = handler
    }

    /// The paths and methods known, sorted (for documentation and tests).
    public var table: [(path: String, methods: [String])] {
        routes.keys.sorted().map { path in (path, routes[path]!.keys.sorted()) }
    }

    /// The metrics label of a path: the path itself when it is a route, else `unmatched` (bounded cardinality).
    public func routeLabel(for path: String) -> String {
        routes[path] == nil ? "unmatched" : path
    }

    /// Runs the handler for the request. The one place a thrown error becomes a response: an `HTTPResponseError`
    /// its own JSON error, anything else a 500 `internal_error`.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        do {
            return try handler(for: request.method, path: request.path)(request)
        } catch let error as any HTTPResponseError {
            return .error(error)
        } catch {
            return .error(HTTPError.internalError)
        }
    }

    private func handler(for method: String, path: String) throws(HTTPError) -> RouteHandler {
        guard let byMethod = routes[path] else { throw .notFound(path: path) }
        if let handler = byMethod[method] { return handler }
        if method == "HEAD", let handler = byMethod["GET"] { return handler }
        var allowed = byMethod.keys.sorted()
        if allowed.contains("GET") { allowed.append("HEAD") }
        throw .methodNotAllowed(method: method, path: path, allowed: allowed)
    }
}
