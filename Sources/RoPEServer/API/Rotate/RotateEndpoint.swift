import RoPE
import TensorCodecs

/// `POST /rotate`: rotates embeddings by their positions (API.md).
enum RotateHandler {
    static func handle(_ request: HTTPRequest, context: ServiceContext) throws(HTTPError) -> HTTPResponse {
        var request = request
        var rotate = try RotateRequest(&request, limits: context.limits)
        // .npy answers carry the scalars in headers; X-RoPE-Applied only for a layer without RoPE.
        let ropeApplied = rotate.ropeApplied
        let scalingHeader = { (factor: Double) in
            [("X-Attention-Scaling", "\(factor)")] + (ropeApplied ? [] : [("X-RoPE-Applied", "false")])
        }
        if var file = rotate.embeddingsFile.take() {
            // A .npy body: rotate the values where they were received and answer with the same memory.
            let shape = file.shape
            let attentionScaling = try file.withValues { values throws(HTTPError) in
                try rotateInPlace(values, shape: shape, rotate, context: context)
            }
            if request.accepts("application/x-npy") {
                return HTTPResponse(contentType: "application/x-npy", headers: scalingHeader(attentionScaling),
                                    body: file.finish())
            }
            return json(shape: shape, attentionScaling: attentionScaling, ropeApplied: rotate.ropeApplied) { writer in
                file.withValues { writer.tensor(UnsafeBufferPointer($0), shape: shape) }
            }
        }
        // JSON: rotate the decoded tensor in place; moving it out of the request leaves it uniquely referenced, so
        // no 33 MB copy is made for a large request.
        guard var tensor = rotate.embeddings.take() else { preconditionFailure("RotateRequest holds no embeddings") }
        let attentionScaling = try tensor.values.withUnsafeMutableBufferPointer { values throws(HTTPError) in
            try rotateInPlace(values, shape: tensor.shape, rotate, context: context)
        }
        if request.accepts("application/x-npy") {
            return .npy(tensor, headers: scalingHeader(attentionScaling))
        }
        return json(shape: tensor.shape, attentionScaling: attentionScaling, ropeApplied: rotate.ropeApplied) {
            $0.tensor(tensor)
        }
    }

    /// Rotates `values` (a tensor of `shape`) in place, timed for /metrics; returns the applied attention factor.
    private static func rotateInPlace(_ values: UnsafeMutableBufferPointer<Float>, shape: [Int],
                                      _ rotate: borrowing RotateRequest,
                                      context: ServiceContext) throws(HTTPError) -> Double {
        // A config layer without RoPE (Llama 4 NoPE) leaves the embeddings as they are.
        guard rotate.ropeApplied else {
            do {
                try Engine.validatePositions(shape: shape, valueCount: values.count, positions: rotate.positions,
                                             offset: rotate.offset)
            } catch {
                throw HTTPError(error)
            }
            return 1
        }
        let attentionScaling: Double
        do {
            attentionScaling = try context.runtime.metrics.timeEngine(route: "/rotate") { () throws(RoPEError) in
                try context.engine.rotate(UnsafeBufferPointer(values), into: values, shape: shape,
                                          positions: rotate.positions, from: rotate.fromPositions,
                                          offset: rotate.offset, parameters: rotate.parameters,
                                          inverse: rotate.inverse, xpos: rotate.xpos)
            }
        } catch {
            throw HTTPError(error)
        }
        // |x cos - y sin| can exceed |x| and |y| by sqrt(2), times an attention factor > 1: inputs near
        // Float.greatestFiniteMagnitude overflow, and neither JSON nor a client expects inf.
        if NonFiniteScan.firstIndex(in: UnsafeBufferPointer(values)) != nil {
            throw .invalid("the rotated 'embeddings' overflow float32 "
                               + "(inputs too large for the attention factor or xPos scale)")
        }
        return attentionScaling
    }

    /// The JSON answer: `{"embeddings": [...], "shape": [...], "attention_scaling": factor}`, plus
    /// `"rope_applied": false` for a layer without RoPE.
    private static func json(shape: [Int], attentionScaling: Double, ropeApplied: Bool,
                             writeEmbeddings: (inout JSONWriter) -> Void) -> HTTPResponse {
        var writer = JSONWriter(capacity: shape.reduce(1, *) * 12 + 128)
        writer.beginObject()
        writer.key("embeddings")
        writeEmbeddings(&writer)
        writer.key("shape")
        writer.integers(shape)
        writer.key("attention_scaling")
        writer.value(attentionScaling)
        if !ropeApplied {
            writer.key("rope_applied")
            writer.value(false)
        }
        writer.endObject()
        return .json(writer)
    }
}
