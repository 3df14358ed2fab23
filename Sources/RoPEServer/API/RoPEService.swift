/// The rope-server application: its routes, bound to a context.
public enum RoPEService {
    /// The service version.
    public static let version = "0.1.0"

    /// The router with every endpoint of API.md.
    public static func router(context: ServiceContext) -> Router {
        var router = Router()
        func route(_ method: String, _ path: String,
                   _ handler: @escaping @Sendable (HTTPRequest, ServiceContext) throws(HTTPError) -> HTTPResponse) {
            router.add(method, path) { request throws(HTTPError) in try handler(request, context) }
        }
        route("POST", "/rotate", RotateHandler.handle)
        route("POST", "/attention", AttentionHandler.handle)
        route("GET", "/frequencies", FrequenciesHandler.handle)
        route("POST", "/frequencies", FrequenciesHandler.handle)
        route("GET", "/decay", DecayHandler.handle)
        route("GET", "/spectrum", SpectrumHandler.handle)
        route("POST", "/spectrum", SpectrumHandler.handle)
        route("GET", "/health", HealthHandler.handle)
        route("GET", "/info", InfoHandler.handle)
        route("GET", "/metrics", MetricsHandler.handle)
        route("GET", "/openapi.yaml", OpenAPIHandler.handle)
        route("GET", "/", ExplorerHandler.handle)
        return router
    }
}
