/// What a scaling did to one frequency slot, judged from its ratio `base_inv_freq / inv_freq`.
public enum FrequencyRegime: String, Sendable, Hashable, CaseIterable {
    /// The slot keeps its unscaled frequency: ratio 1.
    case unchanged
    /// The slot is divided by the scaling's full factor: ratio = factor.
    case interpolated
    /// Any other ratio (in between for NTK, YaRN and Llama 3; LongRoPE's searched factors may lie anywhere).
    case blended
    /// The slot does not rotate at all (inv_freq 0, proportional RoPE's tail).
    case zero

    /// The relative tolerance of the comparisons with 1 and with the factor.
    public static let relativeTolerance = 1e-9

    /// Classifies a slot: `zero` when `inverseFrequency` is 0, `unchanged` when |ratio - 1| <= 1e-9,
    /// `interpolated` when |ratio - factor| <= 1e-9 * factor, else `blended` (unchanged wins when factor is 1).
    public init(inverseFrequency: Double, ratio: Double, factor: Double) {
        if inverseFrequency == 0 {
            self = .zero
        } else if abs(ratio - 1) <= Self.relativeTolerance {
            self = .unchanged
        } else if abs(ratio - factor) <= Self.relativeTolerance * abs(factor) {
            self = .interpolated
        } else {
            self = .blended
        }
    }
}
