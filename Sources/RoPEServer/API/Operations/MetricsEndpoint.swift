/// `GET /metrics`: Prometheus text exposition.
enum MetricsEndpoint {
    static func respond(to request: HTTPRequest, context: ServiceContext) -> HTTPResponse {
        .text(context.runtime.metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
