/// The rope-server application: its routes, bound to a context.
public enum RoPEService {
    /// The service version.
    public static let version = "0.1.0"

    /// The router with every endpoint of openapi.yaml.
    public static func router(context: ServiceContext) -> Router {
        var router = Router()
        func route(_ method: String, _ path: String,
                   _ endpoint: @escaping @Sendable (HTTPRequest, ServiceContext) throws -> HTTPResponse) {
            router.add(method, path) { request in try endpoint(request, context) }
        }
        route("POST", "/rotate", RotateEndpoint.respond)
        route("POST", "/attention", AttentionEndpoint.respond)
        route("GET", "/frequencies", FrequenciesEndpoint.respond)
        route("POST", "/frequencies", FrequenciesEndpoint.respond)
        route("GET", "/decay", DecayEndpoint.respond)
        route("GET", "/spectrum", SpectrumEndpoint.respond)
        route("POST", "/spectrum", SpectrumEndpoint.respond)
        route("GET", "/health", HealthEndpoint.respond)
        route("GET", "/info", InfoEndpoint.respond)
        route("GET", "/metrics", MetricsEndpoint.respond)
        route("GET", "/openapi.yaml", OpenAPIEndpoint.respond)
        route("GET", "/", ExplorerEndpoint.respond)
        return router
    }
}
