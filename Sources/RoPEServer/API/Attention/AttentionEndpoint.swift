import RoPE
import TensorCodecs

/// `POST /attention`: scores of rotated queries against rotated keys (API.md).
enum AttentionHandler {
    static func handle(_ request: HTTPRequest, context: ServiceContext) throws(HTTPError) -> HTTPResponse {
        let attention = try AttentionRequest(request, limits: context.limits)
        // The score matrix and its answer (JSON text or a .npy copy), reserved now that its size is known.
        let rows = attention.queries.values.count / max(attention.queries.featureCount, 1)
        let scoreCount = rows.saturatingMultiply(attention.keys.sequenceLength)
        let perScore = request.accepts("application/x-npy") ? 8 : 4 + RequestMemoryEstimate.jsonTextBytesPerNumber
        try request.reserveMemory(scoreCount.saturatingMultiply(perScore))
        let scores: Tensor
        do {
            scores = try context.runtime.metrics.timeEngine(route: "/attention") { () throws(RoPEError) in
                try context.engine.attentionScores(queries: attention.queries, keys: attention.keys,
                                                   queryPositions: attention.queryPositions,
                                                   keyPositions: attention.keyPositions,
                                                   parameters: attention.parameters, options: attention.options)
            }
        } catch {
            throw HTTPError(error)
        }
        // Masked entries are -inf; NaN or +inf can only come from overflow, which JSON cannot carry.
        if scores.values.contains(where: { $0.isNaN || $0 == .infinity }) {
            throw .invalid("the attention scores overflow float32 (inputs too large)")
        }
        if request.accepts("application/x-npy") {
            return .npy(scores, headers: attention.parameters == nil ? [("X-RoPE-Applied", "false")] : [])
        }
        var writer = JSONWriter(capacity: scores.values.count * 12 + 64)
        writer.beginObject()
        writer.key("scores")
        writer.tensor(scores)   // masked entries are -inf, written as null
        writer.key("shape")
        writer.integers(scores.shape)
        if attention.parameters == nil {
            writer.key("rope_applied")
            writer.value(false)
        }
        writer.endObject()
        return .json(writer)
    }
}
