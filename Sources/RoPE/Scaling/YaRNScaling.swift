import Foundation

/// YaRN scaling (Peng et al. 2023, "YaRN: Efficient Context Window Extension of Large Language Models").
///
/// NTK-by-parts: with `find(n) = r * ln(omax / (n * 2 pi)) / (2 ln b)`, the correction range is
/// `low = max(floor(find(beta_fast)), 0)`, `high = min(ceil(find(beta_slow)), r - 1)` (no floor/ceil when
/// `truncate` is false); `ramp_j = clamp((j - low) / (high - low), 0, 1)` (high += 0.001 when equal);
/// `extrapolation_j = b^(-2j/r)`, `interpolation_j = extrapolation_j / factor`,
/// `inv_freq_j = interpolation_j * ramp_j + extrapolation_j * (1 - ramp_j)`.
/// Attention factor: `attention_factor` if given, else `get_mscale(f, mscale) / get_mscale(f, mscale_all_dim)`
/// when both are set (non-zero), else `get_mscale(f)`, with `get_mscale(s, m) = s <= 1 ? 1 : 0.1 m ln(s) + 1`.
/// Matches `transformers.modeling_rope_utils._compute_yarn_parameters` (transformers 5.x, explicit factor wins).
public struct YaRNScaling: Sendable, Hashable {
    /// The context extension factor (`rope_scaling.factor`); positive and finite.
    public var factor: Double
    /// The pre-training context length (`original_max_position_embeddings`).
    public var originalMaxPositionEmbeddings: Int
    /// Rotations within the original context above which a frequency is extrapolated (`beta_fast`).
    public var betaFast: Double = 32
    /// Rotations within the original context below which a frequency is interpolated (`beta_slow`).
    public var betaSlow: Double = 1
    /// The numerator's mscale (`mscale`, DeepSeek style); used only together with `mscaleAllDim`.
    public var mscale: Double? = nil
    /// The denominator's mscale (`mscale_all_dim`).
    public var mscaleAllDim: Double? = nil
    /// An explicit attention factor that overrides the mscale formula (`attention_factor`).
    public var attentionFactor: Double? = nil
    /// Whether the correction range is rounded outward to whole dimensions (`truncate`, HF default true).
    public var truncate: Bool = true

    /// Creates YaRN scaling by `factor` over `originalMaxPositionEmbeddings` with HF's defaults for the rest.
    public init(factor: Double, originalMaxPositionEmbeddings: Int) {
        self.factor = factor
        self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
    }

    /// HF `get_mscale`: the attention temperature correction `0.1 m ln(s) + 1` (1 when s <= 1).
    static func magnitudeScale(_ scale: Double, _ mscale: Double = 1) -> Double {
        scale <= 1 ? 1 : 0.1 * mscale * log(scale) + 1
    }

    /// The attention factor HF derives when `attention_factor` is absent.
    var resolvedAttentionFactor: Double {
        if let attentionFactor { return attentionFactor }
        // HF tests `if mscale and mscale_all_dim`: Python truthiness, so 0 counts as absent.
        if let mscale, let mscaleAllDim, mscale != 0, mscaleAllDim != 0 {
            return Self.magnitudeScale(factor, mscale) / Self.magnitudeScale(factor, mscaleAllDim)
        }
        return Self.magnitudeScale(factor)
    }

    /// HF `find_correction_dim`: the (fractional) dimension index whose wavelength fits `rotations` times
    /// into the original context.
    static func correctionDimension(rotations: Double, rotaryDimension r: Int, base: Double, originalContext: Int)
        -> Double
    {
        Double(r) * log(Double(originalContext) / (rotations * 2 * Double.pi)) / (2 * log(base))
    }

    /// The YaRN frequencies and attention factor for base `base` and rotary dimension `r`.
    func frequencies(base: Double, rotaryDimension r: Int) throws(RoPEError) -> ScaledFrequencies {
        try RoPEError.requirePositiveFinite(factor, field: "rope_scaling.factor")
        try RoPEError.requirePositive(originalMaxPositionEmbeddings,
                                      field: "rope_scaling.original_max_position_embeddings")
        try RoPEError.requirePositiveFinite(betaFast, field: "rope_scaling.beta_fast")
        try RoPEError.requirePositiveFinite(betaSlow, field: "rope_scaling.beta_slow")
        if let mscale { try Self.requireFinite(mscale, field: "rope_scaling.mscale") }
        if let mscaleAllDim { try Self.requireFinite(mscaleAllDim, field: "rope_scaling.mscale_all_dim") }
        if let attentionFactor {
            try RoPEError.requirePositiveFinite(attentionFactor, field: "rope_scaling.attention_factor")
        }
        let attention = resolvedAttentionFactor
        guard attention.isFinite, attention > 0 else {
            throw RoPEError(.invalidParameter, field: "rope_scaling.mscale",
                            "rope_scaling.mscale and mscale_all_dim give the attention factor \(attention), which is "
                                + "not a positive finite number")
        }

        var low = Self.correctionDimension(rotations: betaFast, rotaryDimension: r, base: base,
                                           originalContext: originalMaxPositionEmbeddings)
        var high = Self.correctionDimension(rotations: betaSlow, rotaryDimension: r, base: base,
                                            originalContext: originalMaxPositionEmbeddings)
        guard low.isFinite, high.isFinite else {
            // Happens for rope_theta == 1 (ln b = 0); HF would fail in math.floor as well.
            throw RoPEError(.invalidParameter, field: "rope_theta",
                            "rope_theta (\(base)) gives an undefined YaRN correction range (ln(rope_theta) must "
                                + "not be 0)")
        }
        if truncate {
            low = low.rounded(.down)
            high = high.rounded(.up)
        }
        low = max(low, 0)
        high = min(high, Double(r - 1))
        if low == high { high += 0.001 }  // HF linear_ramp_factor: avoids a division by zero

        let extrapolated = FrequencyTable.defaultInverseFrequencies(base: base, rotaryDimension: r)
        let inverse = extrapolated.enumerated().map { j, extrapolation in
            let ramp = min(max((Double(j) - low) / (high - low), 0), 1)
            let extrapolationWeight = 1 - ramp
            let interpolation = extrapolation / factor
            return interpolation * (1 - extrapolationWeight) + extrapolation * extrapolationWeight
        }
        try RoPEError.requireUsableFrequencies(inverse, field: "rope_scaling.factor")
        return ScaledFrequencies(inverseFrequencies: inverse, attentionFactor: attention)
    }

    /// Throws `invalidParameter` for `field` unless `value` is finite.
    private static func requireFinite(_ value: Double, field: String) throws(RoPEError) {
        guard value.isFinite else {
            throw RoPEError(.invalidParameter, field: field, "\(field) (\(value)) must be a finite number")
        }
    }
}
