import TensorCodecs

/// The answer of `GET /health`: 200 `{"status":"ok"}`, or 503 `{"status":"draining"}` while shutting down.
struct HealthResponse: EndpointResponse {
    static let formats: [ResponseFormat] = [.json]

    var isDraining: Bool

    consuming func response(as format: ResponseFormat) -> HTTPResponse {
        var writer = JSONWriter(capacity: 32)
        writer.beginObject()
        writer.key("status")
        writer.value(isDraining ? "draining" : "ok")
        writer.endObject()
        return .json(writer, status: isDraining ? 503 : 200)
    }
}
