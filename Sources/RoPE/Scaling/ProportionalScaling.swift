import Foundation

/// Gemma 4's proportional RoPE: the default ladder over the whole head dimension, with only the first
/// `partial_rotary_factor` of the frequencies non-zero.
///
/// `inv_freq[j] = b^(-2j/d) / factor` for `j < floor(p d / 2)` and 0 for the other slots up to d/2, so those
/// pairs keep their values (angle 0). Matches `transformers.modeling_rope_utils._compute_proportional_rope_parameters`.
public struct ProportionalScaling: Sendable, Hashable {
    /// Every non-zero frequency is divided by this (`factor`, default 1); positive and finite.
    public var factor: Double
    /// The fraction p in (0, 1] of the d/2 slots that rotate (`partial_rotary_factor`).
    public var partialRotaryFactor: Double

    /// Proportional RoPE dividing by `factor` with the first `floor(partialRotaryFactor * d / 2)` slots rotating.
    public init(factor: Double = 1, partialRotaryFactor: Double = 1) {
        self.factor = factor
        self.partialRotaryFactor = partialRotaryFactor
    }

    /// The number of non-zero frequencies for head dimension `d`: Python's `int(p * d // 2)`.
    func rotatingSlotCount(headDimension d: Int) -> Int {
        Int((partialRotaryFactor * Double(d) / 2).rounded(.down))
    }

    /// The d/2 frequencies (r = d here): the default ladder divided by `factor`, zero past the rotating slots.
    func frequencies(base: Double, rotaryDimension d: Int) throws(RoPEError) -> ScaledFrequencies {
        try RoPEError.requirePositiveFinite(factor, field: "rope_scaling.factor")
        guard partialRotaryFactor.isFinite, partialRotaryFactor > 0, partialRotaryFactor <= 1 else {
            throw RoPEError(.invalidParameter, field: "partial_rotary_factor",
                            "partial_rotary_factor (\(partialRotaryFactor)) must lie in (0, 1]")
        }
        let rotating = rotatingSlotCount(headDimension: d)
        let ladder = FrequencyTable.defaultInverseFrequencies(base: base, rotaryDimension: d)
        let rotated = ladder.prefix(rotating).map { $0 / factor }
        try RoPEError.requireUsableFrequencies(Array(rotated), field: "rope_scaling.factor")
        let inverse = rotated + [Double](repeating: 0, count: d / 2 - rotating)
        return ScaledFrequencies(inverseFrequencies: inverse, attentionFactor: 1)
    }
}
