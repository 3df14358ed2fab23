import RoPE
import TensorCodecs

/// `POST /attention`: scores of rotated queries against rotated keys (openapi.yaml).
enum AttentionEndpoint {
    static func respond(to request: HTTPRequest, context: ServiceContext) throws -> HTTPResponse {
        let format = request.responseFormat(offered: AttentionResponse.formats)
        let attention = try AttentionRequest(request, limits: context.limits)
        // The score matrix and its answer (JSON text or a .npy copy), reserved now that its size is known.
        let perScore = format == .npy ? 8 : 4 + RequestMemoryEstimate.jsonTextBytesPerNumber
        try request.reserveMemory(attention.scoreCount.saturatingMultiply(perScore))
        let scores = try context.runtime.metrics.timeEngine(route: "/attention") { () throws(RoPEError) in
            try context.engine.attentionScores(queries: attention.queries, keys: attention.keys,
                                               queryPositions: attention.queryPositions,
                                               keyPositions: attention.keyPositions,
                                               parameters: attention.parameters, options: attention.options)
        }
        // The engine throws on a score that overflows, so -inf (masked, written as null) is the only non-finite one.
        return AttentionResponse(scores: scores, ropeApplied: attention.parameters != nil).response(as: format)
    }
}
