import Foundation

/// LongRoPE scaling (Ding et al. 2024; Phi-3): one rescale factor per frequency, short or long by sequence length.
///
/// `ext = seqLen > omax ? long_factor : short_factor` (unknown seqLen: short);
/// `inv_freq[j] = 1 / (ext[j] * b^(2j/r))`; attention factor `attention_factor` if given, else
/// `factor <= 1 ? 1 : sqrt(1 + ln(factor) / ln(omax))`.
/// Matches `transformers.modeling_rope_utils._compute_longrope_parameters`.
public struct LongRoPEScaling: Sendable, Hashable {
    /// Per-frequency factors used while the sequence fits the original context (r/2 entries, `short_factor`).
    public var shortFactor: [Double]
    /// Per-frequency factors used beyond the original context (r/2 entries, `long_factor`).
    public var longFactor: [Double]
    /// The pre-training context length `omax` (`original_max_position_embeddings`).
    public var originalMaxPositionEmbeddings: Int
    /// The context extension factor; the caller resolves it (explicit, else max_position_embeddings / original).
    public var factor: Double
    /// An explicit attention factor that overrides the default formula (`attention_factor`).
    public var attentionFactor: Double? = nil

    /// Creates LongRoPE scaling from HF's per-frequency factor lists.
    public init(shortFactor: [Double], longFactor: [Double], originalMaxPositionEmbeddings: Int, factor: Double) {
        self.shortFactor = shortFactor
        self.longFactor = longFactor
        self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
        self.factor = factor
    }

    /// The attention factor HF derives when `attention_factor` is absent.
    var resolvedAttentionFactor: Double {
        if let attentionFactor { return attentionFactor }
        guard factor > 1 else { return 1 }
        return (1 + log(factor) / log(Double(originalMaxPositionEmbeddings))).squareRoot()
    }

    /// Whether a sequence of `sequenceLength` tokens takes the long factors, `seqLen > omax` (unknown: no): all the
    /// frequencies see of the sequence length.
    func usesLongFactors(sequenceLength: Int?) -> Bool {
        (sequenceLength ?? 0) > originalMaxPositionEmbeddings
    }

    /// The LongRoPE frequencies for a sequence of `sequenceLength` tokens (nil: unknown, short factors).
    func frequencies(base: Double, rotaryDimension r: Int, sequenceLength: Int?) throws(RoPEError)
        -> ScaledFrequencies
    {
        try RoPEError.requirePositiveFinite(factor, field: "rope_scaling.factor")
        try RoPEError.requirePositive(originalMaxPositionEmbeddings,
                                      field: "rope_scaling.original_max_position_embeddings")
        if let attentionFactor {
            try RoPEError.requirePositiveFinite(attentionFactor, field: "rope_scaling.attention_factor")
        }
        try Self.validate(shortFactor, field: "rope_scaling.short_factor", rotaryDimension: r)
        try Self.validate(longFactor, field: "rope_scaling.long_factor", rotaryDimension: r)
        let attention = resolvedAttentionFactor
        guard attention.isFinite, attention > 0 else {
            // omax == 1 makes ln(omax) = 0.
            throw RoPEError(.invalidParameter, field: "rope_scaling.original_max_position_embeddings",
                            "rope_scaling.original_max_position_embeddings (\(originalMaxPositionEmbeddings)) gives "
                                + "the attention factor \(attention); give attention_factor explicitly")
        }

        let useLong = usesLongFactors(sequenceLength: sequenceLength)
        let rescale = useLong ? longFactor : shortFactor
        let inverse = FrequencyTable.defaultInverseFrequencies(base: base, rotaryDimension: r)
            .enumerated().map { j, frequency in frequency / rescale[j] }
        try RoPEError.requireUsableFrequencies(
            inverse, field: useLong ? "rope_scaling.long_factor" : "rope_scaling.short_factor")
        return ScaledFrequencies(inverseFrequencies: inverse, attentionFactor: attention)
    }

    /// Throws unless `factors` has r/2 positive finite entries.
    private static func validate(_ factors: [Double], field: String, rotaryDimension r: Int) throws(RoPEError) {
        guard factors.count == r / 2 else {
            throw RoPEError(.shapeMismatch, field: field,
                            "\(field) has \(factors.count) entries; it needs rotary_dim / 2 = \(r / 2)")
        }
        for value in factors where !(value.isFinite && value > 0) {
            throw RoPEError(.invalidParameter, field: field,
                            "\(field) contains \(value); every entry must be a positive finite number")
        }
    }
}
