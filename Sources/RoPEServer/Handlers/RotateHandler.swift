import RoPE

/// `POST /rotate`: rotates embeddings by their positions (API.md).
enum RotateHandler {
    static func handle(_ request: HTTPRequest, context: ServiceContext) throws(HTTPError) -> HTTPResponse {
        var rotate = try RotateRequest(request, limits: context.limits)
        // Rotate the decoded tensor in place: moving it out of the request leaves it uniquely referenced, so no
        // 33 MB copy is made for a large request.
        var tensor = rotate.embeddings
        rotate.embeddings = Tensor(shape: [0], values: [])
        let attentionScaling: Double
        do {
            attentionScaling = try context.runtime.metrics.timeEngine(route: "/rotate") { () throws(RoPEError) in
                try Rotation.rotate(inPlace: &tensor, positions: rotate.positions, offset: rotate.offset,
                                    parameters: rotate.parameters, inverse: rotate.inverse, xpos: rotate.xpos,
                                    parallelThreshold: context.configuration.parallelThreshold)
            }
        } catch {
            throw HTTPError(error)
        }
        // |x cos - y sin| can exceed |x| and |y| by sqrt(2), times an attention factor > 1: inputs near
        // Float.greatestFiniteMagnitude overflow, and JSON cannot carry inf.
        if tensor.values.contains(where: { !$0.isFinite }) {
            throw .invalid("the rotated 'embeddings' overflow float32 (inputs too large for the attention factor or xPos scale)")
        }
        if request.accepts("application/x-npy") {
            return .npy(tensor, headers: [("X-Attention-Scaling", "\(attentionScaling)")])
        }
        var writer = JSONWriter(capacity: tensor.values.count * 12 + 128)
        writer.beginObject()
        writer.key("embeddings")
        writer.tensor(tensor)
        writer.key("shape")
        writer.integers(tensor.shape)
        writer.key("attention_scaling")
        writer.value(attentionScaling)
        writer.endObject()
        return .json(writer)
    }
}
