/// Dynamic NTK scaling: the NTK base grows with the sequence length beyond `max_position_embeddings`.
///
/// With `L = max(seqLen, mpe)`: `b' = b * ((factor * L / mpe) - (factor - 1))^(r/(r-2))`,
/// `inv_freq[j] = b'^(-2j/r)`, attention factor 1. Matches
/// `transformers.modeling_rope_utils._compute_dynamic_ntk_parameters` (with `dynamic_rope_update`'s
/// seq_len = max(position_ids) + 1). An unknown sequence length uses L = mpe, i.e. the default frequencies.
public struct DynamicNTKScaling: Sendable, Hashable {
    /// The scaling factor (`rope_scaling.factor`); positive and finite.
    public var factor: Double
    /// The context length the model was trained for (HF `config.max_position_embeddings`).
    public var maxPositionEmbeddings: Int

    /// Creates dynamic NTK scaling with `factor` above `maxPositionEmbeddings` tokens.
    public init(factor: Double, maxPositionEmbeddings: Int) {
        self.factor = factor
        self.maxPositionEmbeddings = maxPositionEmbeddings
    }

    /// The length `L = max(seqLen, mpe)` the base grows with (unknown: mpe): all the frequencies see of the
    /// sequence length, so every length up to mpe gives the frequencies of mpe.
    func effectiveSequenceLength(_ sequenceLength: Int?) -> Int {
        max(sequenceLength ?? maxPositionEmbeddings, maxPositionEmbeddings)
    }

    /// The growth term whose power r/(r-2) multiplies the base at a sequence of `sequenceLength` tokens (nil: mpe),
    /// `factor * L / mpe - (factor - 1)` with `L = max(seqLen, mpe)`: 1 up to mpe, then growing linearly with L.
    func growth(sequenceLength: Int?) -> Double {
        let length = Double(effectiveSequenceLength(sequenceLength))
        return (factor * length / Double(maxPositionEmbeddings)) - (factor - 1)
    }

    /// The frequencies for a sequence of `sequenceLength` tokens (nil: unknown, treated as mpe).
    func frequencies(base: Double, rotaryDimension r: Int, sequenceLength: Int?) throws(RoPEError)
        -> ScaledFrequencies
    {
        try RoPEError.requirePositiveFinite(factor, field: "rope_scaling.factor")
        try RoPEError.requirePositive(maxPositionEmbeddings, field: "max_position_embeddings")
        let scaledBase = try StaticNTKScaling.ntkBase(base: base, growth: growth(sequenceLength: sequenceLength),
                                                      rotaryDimension: r)
        return ScaledFrequencies(
            inverseFrequencies: try StaticNTKScaling.inverseFrequencies(scaledBase: scaledBase, rotaryDimension: r),
            attentionFactor: 1)
    }
}
