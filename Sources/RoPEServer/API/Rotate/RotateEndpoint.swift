import RoPE
import TensorCodecs

/// `POST /rotate`: rotates embeddings by their positions (openapi.yaml).
enum RotateEndpoint {
    static func respond(to request: HTTPRequest, context: ServiceContext) throws -> HTTPResponse {
        let format = request.responseFormat(offered: RotateResponse.formats)
        var request = request
        var rotate = try RotateRequest(&request, limits: context.limits)
        if var file = rotate.embeddingsFile.take() {
            // A .npy body: rotate the values where they were received and answer with the same memory.
            let shape = file.shape
            let attentionScaling = try file.withValues { values in
                try rotateInPlace(values, shape: shape, rotate, context: context)
            }
            return RotateResponse(embeddings: .file(file), shape: shape, attentionScaling: attentionScaling,
                                  ropeApplied: rotate.ropeApplied).response(as: format)
        }
        // JSON: rotate the decoded tensor in place; moving it out of the request leaves it uniquely referenced, so
        // no 33 MB copy is made for a large request.
        guard var tensor = rotate.embeddings.take() else { preconditionFailure("RotateRequest holds no embeddings") }
        let shape = tensor.shape
        let attentionScaling = try tensor.values.withUnsafeMutableBufferPointer { values in
            try rotateInPlace(values, shape: shape, rotate, context: context)
        }
        return RotateResponse(embeddings: .tensor(tensor), shape: shape, attentionScaling: attentionScaling,
                              ropeApplied: rotate.ropeApplied).response(as: format)
    }

    /// Rotates `values` (a tensor of `shape`) in place, timed for /metrics; returns the applied attention factor.
    private static func rotateInPlace(_ values: UnsafeMutableBufferPointer<Float>, shape: [Int],
                                      _ rotate: borrowing RotateRequest, context: ServiceContext) throws -> Double {
        // A config layer without RoPE (Llama 4 NoPE) leaves the embeddings as they are.
        guard rotate.ropeApplied else {
            try Engine.validatePositions(shape: shape, valueCount: values.count, positions: rotate.positions,
                                         offset: rotate.offset)
            return 1
        }
        let attentionScaling = try context.runtime.metrics.timeEngine(route: "/rotate") { () throws(RoPEError) in
            try context.engine.rotate(UnsafeBufferPointer(values), into: values, shape: shape,
                                      positions: rotate.positions, from: rotate.fromPositions,
                                      offset: rotate.offset, parameters: rotate.parameters,
                                      inverse: rotate.inverse, xpos: rotate.xpos)
        }
        // |x cos - y sin| can exceed |x| and |y| by sqrt(2), times an attention factor > 1: inputs near
        // Float.greatestFiniteMagnitude overflow, and neither JSON nor a client expects inf.
        if NonFiniteScan.firstIndex(in: UnsafeBufferPointer(values)) != nil {
            throw HTTPError.invalid("the rotated 'embeddings' overflow float32 "
                                  + "(inputs too large for the attention factor or xPos scale)")
        }
        return attentionScaling
    }
}
