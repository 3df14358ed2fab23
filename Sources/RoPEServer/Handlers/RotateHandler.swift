import RoPE

/// `POST /rotate`: rotates embeddings by their positions (API.md).
enum RotateHandler {
    static func handle(_ request: HTTPRequest, context: ServiceContext) throws(HTTPError) -> HTTPResponse {
        let rotate = try RotateRequest(request, limits: context.limits)
        let result: RotationResult
        do {
            result = try context.runtime.metrics.timeEngine(route: "/rotate") { () throws(RoPEError) in
                try Rotation.rotate(rotate.embeddings, positions: rotate.positions, offset: rotate.offset,
                                    parameters: rotate.parameters, inverse: rotate.inverse, xpos: rotate.xpos,
                                    parallelThreshold: context.configuration.parallelThreshold)
            }
        } catch {
            throw HTTPError(error)
        }
        // Inputs near Float.greatestFiniteMagnitude times an attention factor > 1 overflow; JSON cannot carry inf.
        if result.tensor.values.contains(where: { !$0.isFinite }) {
            throw .invalid("the rotated 'embeddings' overflow float32 (inputs too large for the attention factor or xPos scale)")
        }
        if request.accepts("application/x-npy") {
            return .npy(result.tensor, headers: [("X-Attention-Scaling", "\(result.attentionScaling)")])
        }
        var writer = JSONWriter(capacity: result.tensor.values.count * 12 + 128)
        writer.beginObject()
        writer.key("embeddings")
        writer.tensor(result.tensor)
        writer.key("shape")
        writer.integers(result.tensor.shape)
        writer.key("attention_scaling")
        writer.value(result.attentionScaling)
        writer.endObject()
        return .json(writer)
    }
}
