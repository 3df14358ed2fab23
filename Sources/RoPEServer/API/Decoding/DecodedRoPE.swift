import RoPE

/// What the RoPE fields of a request resolve to: the engine parameters, plus what a pasted `config` says about
/// the layer (its head dimension, and whether it applies RoPE at all).
struct DecodedRoPE {
    /// The parameters the engine rotates with.
    var parameters: RoPEParameters
    /// The head dimension a `config` prescribes for the layer (nil without `config`, or when it names none).
    var configHeadDimension: Int?
    /// Where `configHeadDimension` came from (`head_dim`, `global_head_dim`, ...), for messages.
    var configHeadDimensionSource: String?
    /// false for a layer without RoPE: Llama 4 `no_rope_layers`, or a null `rope_parameters` entry.
    var ropeApplied: Bool = true
    /// The model's context, `max_position_embeddings` (top level, or the config's); nil when not given.
    var maxPositionEmbeddings: Int? = nil

    /// 422 unless `d`, the last axis of `field`, equals the head dimension the config prescribes.
    func requireHeadDimension(_ d: Int?, of field: String) throws(HTTPError) {
        guard let expected = configHeadDimension, let d, d != expected else { return }
        throw .invalid("'\(field)' has head dimension \(d) but 'config' gives \(expected) "
                     + "(\(configHeadDimensionSource ?? "head_dim")) for this layer")
    }
}
