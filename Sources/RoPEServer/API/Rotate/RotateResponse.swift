import RoPE
import TensorCodecs

/// The answer of `POST /rotate`: the rotated embeddings, their shape, the attention factor applied and whether the
/// layer applies RoPE at all.
struct RotateResponse: EndpointResponse, ~Copyable {
    /// The rotated values: a tensor decoded from JSON, or the .npy body rotated where it was received.
    enum Embeddings: ~Copyable {
        case tensor(Tensor)
        case file(NPYFloat32File)
    }

    static let formats: [ResponseFormat] = [.json, .npy]

    var embeddings: Embeddings
    var shape: [Int]
    var attentionScaling: Double
    /// false for a config layer without RoPE: the embeddings are the ones sent.
    var ropeApplied: Bool

    consuming func response(as format: ResponseFormat) -> HTTPResponse {
        format == .npy ? npy() : json()
    }

    /// `{"embeddings": [...], "shape": [...], "attention_scaling": factor}`, plus `"rope_applied": false` for a
    /// layer without RoPE.
    private consuming func json() -> HTTPResponse {
        var writer = JSONWriter(capacity: shape.reduce(1, *) * 12 + 128)
        writer.beginObject()
        writer.key("embeddings")
        switch consume embeddings {
        case .tensor(let tensor):
            writer.tensor(tensor)
        case .file(var file):
            let shape = shape
            file.withValues { writer.tensor(UnsafeBufferPointer($0), shape: shape) }
        }
        writer.key("shape")
        writer.integers(shape)
        writer.key("attention_scaling")
        writer.value(attentionScaling)
        writer.ropeApplied(ropeApplied)
        writer.endObject()
        return .json(writer)
    }

    /// The float32 .npy of the embeddings (the received file itself when the body was one), with the scalars in
    /// headers: `X-Attention-Scaling`, and `X-RoPE-Applied: false` for a layer without RoPE.
    private consuming func npy() -> HTTPResponse {
        let headers = [("X-Attention-Scaling", "\(attentionScaling)")]
            + (ropeApplied ? [] : [("X-RoPE-Applied", "false")])
        switch consume embeddings {
        case .tensor(let tensor):
            return .npy(tensor, headers: headers)
        case .file(let file):
            return HTTPResponse(contentType: ResponseFormat.npy.mediaType, headers: headers, body: file.finish())
        }
    }
}
