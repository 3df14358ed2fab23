import RoPE
import TensorCodecs

/// The answer of `POST /attention`: the score matrix, and whether the layer applies RoPE at all.
struct AttentionResponse: EndpointResponse {
    static let formats: [ResponseFormat] = [.json, .npy]

    /// The scores, masked entries -inf.
    var scores: Tensor
    /// false for a config layer without RoPE: queries and keys were scored unrotated.
    var ropeApplied: Bool

    consuming func response(as format: ResponseFormat) -> HTTPResponse {
        format == .npy ? npy : json
    }

    /// `{"scores": [...], "shape": [...]}` (masked entries null), plus `"rope_applied": false` without RoPE.
    private var json: HTTPResponse {
        var writer = JSONWriter(capacity: scores.values.count * 12 + 64)
        writer.beginObject()
        writer.key("scores")
        writer.tensor(scores)   // masked entries are -inf, written as null
        writer.key("shape")
        writer.integers(scores.shape)
        writer.ropeApplied(ropeApplied)
        writer.endObject()
        return .json(writer)
    }

    /// The float32 .npy of the scores, with `X-RoPE-Applied: false` without RoPE.
    private var npy: HTTPResponse {
        .npy(scores, headers: ropeApplied ? [] : [("X-RoPE-Applied", "false")])
    }
}
