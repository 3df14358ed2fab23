/// `GET /health`: whether the server takes requests (liveness and readiness).
enum HealthEndpoint {
    static func respond(to request: HTTPRequest, context: ServiceContext) -> HTTPResponse {
        HealthResponse(isDraining: context.runtime.isDraining).response(as: .json)
    }
}
