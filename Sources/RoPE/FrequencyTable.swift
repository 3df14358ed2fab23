import Foundation

/// The inverse frequencies (radians per position, in Double) of one parameter set at one sequence length.
///
/// Default RoPE (RoFormer, Su et al. 2021; HF `_compute_default_rope_parameters`): inv_freq[j] = 1 / b^(2j/r)
/// for j < r/2; the scaling types in `Scaling/` reshape these and may add an attention factor.
public struct FrequencyTable: Sendable, Hashable {
    /// The number of rotated features r (even, <= d).
    public let rotaryDimension: Int
    /// The r/2 inverse frequencies after scaling.
    public let inverseFrequencies: [Double]
    /// The scaling's attention factor (1 for types without one), reported even when it is not applied.
    public let attentionFactor: Double
    /// For M-RoPE, the position axis each of the r/2 slots reads (see `MRoPESection`); nil for plain RoPE.
    public let mropeAxes: [MRoPESection.Axis]?
    /// Whether cos and sin carry the attention factor (`apply_attention_scaling`).
    private let appliesAttentionFactor: Bool
    /// A digest of the fields above, computed once: the cos/sin cache hashes a table on every request, and
    /// hashing r/2 Doubles through `Hasher` each time cost more than the cache lookup itself.
    private let digest: UInt64

    /// The factor cos and sin are multiplied by: `attentionFactor` when attention scaling is applied, else 1.
    public var appliedAttentionFactor: Double { appliesAttentionFactor ? attentionFactor : 1 }

    /// The wavelength of every frequency, `2 pi / inv_freq`, in positions (infinite for a zero frequency).
    public var wavelengths: [Double] { inverseFrequencies.map { 2 * Double.pi / $0 } }

    /// Builds the table for head dimension `headDimension`; `sequenceLength` is the stateless seq_len
    /// (1 + largest position) that dynamic and longrope depend on, nil when unknown.
    public init(parameters: RoPEParameters, headDimension: Int, sequenceLength: Int?) throws(RoPEError) {
        if case .proportional = parameters.scaling, parameters.rotaryDimension != .full {
            // Proportional RoPE spans the whole head; its partial_rotary_factor counts frequencies instead.
            throw RoPEError(.invalidParameter, field: "rotary_dim",
                            "rotary_dim does not apply to rope_type 'proportional': it rotates over the whole head "
                                + "dimension, partial_rotary_factor sets how many frequencies are non-zero")
        }
        let r = try parameters.rotaryDimension.resolve(headDimension: headDimension)
        try RoPEError.requirePositiveFinite(parameters.theta, field: "rope_theta")
        let defaultFrequencies = Self.defaultInverseFrequencies(base: parameters.theta, rotaryDimension: r)
        try RoPEError.requireUsableFrequencies(defaultFrequencies, field: "rope_theta")
        let scaled: ScaledFrequencies
        if case .none = parameters.scaling {
            // Default RoPE is the ladder just checked: no second r/2 pow calls, no second identical check.
            scaled = ScaledFrequencies(inverseFrequencies: defaultFrequencies, attentionFactor: 1)
        } else {
            // Each scaling type checks the frequencies it returns, naming its own field.
            scaled = try parameters.scaling.scaledFrequencies(
                base: parameters.theta, rotaryDimension: r, sequenceLength: sequenceLength)
        }
        let axes = try parameters.mropeSection?.axes(pairCount: r / 2)
        // cos and sin are multiplied by the applied factor in float32: beyond Float's range they would be infinite.
        guard !parameters.applyAttentionScaling || Float(scaled.attentionFactor).isFinite else {
            throw RoPEError(.invalidParameter, field: "rope_scaling.attention_factor",
                            "the attention factor (\(scaled.attentionFactor)) overflows float32, so cos and sin "
                                + "would not be finite")
        }
        rotaryDimension = r
        inverseFrequencies = scaled.inverseFrequencies
        attentionFactor = scaled.attentionFactor
        appliesAttentionFactor = parameters.applyAttentionScaling
        mropeAxes = axes
        digest = Self.digest(rotaryDimension: r, inverseFrequencies: scaled.inverseFrequencies,
                             attentionFactor: scaled.attentionFactor,
                             appliesAttentionFactor: parameters.applyAttentionScaling, mropeAxes: axes)
    }

    /// Hashes the digest only; equal tables have equal digests (it is a function of the other fields), and `==`
    /// still compares every field.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }

    /// FNV-1a over the fields' bit patterns, 64 bits at a time.
    private static func digest(rotaryDimension: Int, inverseFrequencies: [Double], attentionFactor: Double,
                               appliesAttentionFactor: Bool, mropeAxes: [MRoPESection.Axis]?) -> UInt64 {
        var digest: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ word: UInt64) { digest = (digest ^ word) &* 0x0000_0100_0000_01B3 }
        mix(UInt64(bitPattern: Int64(rotaryDimension)))
        for frequency in inverseFrequencies { mix(frequency.bitPattern) }
        mix(attentionFactor.bitPattern)
        mix(appliesAttentionFactor ? 1 : 0)
        for axis in mropeAxes ?? [] { mix(UInt64(axis.rawValue) + 2) }
        return digest
    }

    /// The default ladder `1 / b^(2j/r)`, j < r/2, written like HF's `1.0 / (base ** (arange(0, dim, 2) / dim))`.
    static func defaultInverseFrequencies(base: Double, rotaryDimension r: Int) -> [Double] {
        (0..<(r / 2)).map { j in 1 / pow(base, Double(2 * j) / Double(r)) }
    }

    /// The angles `position * inv_freq[j]`, formed in Double so that large positions stay exact.
    public func angles(atPosition position: Int) -> [Double] {
        let p = Double(position)
        return inverseFrequencies.map { p * $0 }
    }
}
