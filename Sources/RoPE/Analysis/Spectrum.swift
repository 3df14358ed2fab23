import Foundation

/// What a parameter set's scaling does to each frequency slot, against the unscaled RoPE ladder.
///
/// Per slot j < r/2: `inv_freq` (scaled, at a sequence of `context` tokens), `base_inv_freq = b^(-2j/r)` (same
/// theta and rotary dimension, no scaling), `ratio = base / scaled`, `wavelength = 2 pi / inv_freq` (nil for a zero
/// frequency), rotations within the original and the target context (`length / wavelength`, 0 for a zero
/// frequency), the `FrequencyRegime` with the type's `RoPEScaling.interpolationFactor`, and M-RoPE's axis.
public struct Spectrum: Sendable {
    /// The number of rotated features r (the spectrum has r/2 slots).
    public let rotaryDimension: Int
    /// The target context length: the sequence length the scaled frequencies are taken at.
    public let context: Int
    /// The pre-training context (`RoPEScaling.originalContextLength`, else `max_position_embeddings`); nil if unknown.
    public let originalContext: Int?
    /// The ratio that counts as `interpolated` (`RoPEScaling.interpolationFactor` at `context`).
    public let interpolationFactor: Double
    /// The scaled inverse frequencies (radians per position).
    public let inverseFrequencies: [Double]
    /// The unscaled ladder `b^(-2j/r)`.
    public let baseInverseFrequencies: [Double]
    /// `base / scaled` per slot (0 where the scaled frequency is 0).
    public let ratios: [Double]
    /// `2 pi / inv_freq` per slot, nil where inv_freq is 0.
    public let wavelengths: [Double?]
    /// `originalContext / wavelength` per slot; nil when the original context is unknown.
    public let rotationsOriginal: [Double]?
    /// `context / wavelength` per slot.
    public let rotationsContext: [Double]
    /// The regime of every slot.
    public let regimes: [FrequencyRegime]
    /// The factor cos and sin are multiplied by (`FrequencyTable.appliedAttentionFactor`).
    public let attentionScaling: Double
    /// LongRoPE's switch length (the first sequence length that takes `long_factor`); nil for other types.
    public let longFactorSwitchLength: Int?
    /// For M-RoPE, the position axis (t, h, w) each slot takes its angle from; nil for plain RoPE.
    public let mropeAxes: [MRoPESection.Axis]?

    /// Analyses `parameters` for head dimension `headDimension` at `context` tokens (nil: `maxPositionEmbeddings`,
    /// else the original context; one of them is needed, else `context` is reported missing).
    ///
    /// `maxPositionEmbeddings` is the model's own context, which is also the original context of the types whose
    /// scaling block names none (default, linear, ntk, proportional). dynamic and longrope take their frequencies at
    /// sequence length `context`, as HF would for a sequence that long.
    public init(parameters: RoPEParameters, headDimension: Int, context requestedContext: Int?,
                maxPositionEmbeddings: Int?) throws(RoPEError) {
        let originalContext = parameters.scaling.originalContextLength ?? maxPositionEmbeddings
        guard let context = requestedContext ?? maxPositionEmbeddings ?? originalContext else {
            throw RoPEError(.invalidParameter, field: "context",
                            "context is needed: give context or max_position_embeddings "
                                + "(this rope_type names no original context)")
        }
        try RoPEError.requirePositive(context, field: "context")
        let table = try FrequencyTable(parameters: parameters, headDimension: headDimension, sequenceLength: context)
        let base = FrequencyTable.defaultInverseFrequencies(base: parameters.theta,
                                                            rotaryDimension: table.rotaryDimension)
        let factor = parameters.scaling.interpolationFactor(sequenceLength: context)
        let scaled = table.inverseFrequencies
        let ratios = zip(base, scaled).map { base, scaled in scaled == 0 ? 0 : base / scaled }
        let wavelengths = scaled.map { frequency in frequency == 0 ? nil : 2 * Double.pi / frequency }
        func rotations(within length: Int) -> [Double] {
            wavelengths.map { wavelength in wavelength.map { Double(length) / $0 } ?? 0 }
        }
        rotaryDimension = table.rotaryDimension
        self.context = context
        self.originalContext = originalContext
        interpolationFactor = factor
        inverseFrequencies = scaled
        baseInverseFrequencies = base
        self.ratios = ratios
        self.wavelengths = wavelengths
        rotationsOriginal = originalContext.map(rotations(within:))
        rotationsContext = rotations(within: context)
        regimes = zip(scaled, ratios).map { FrequencyRegime(inverseFrequency: $0, ratio: $1, factor: factor) }
        attentionScaling = table.appliedAttentionFactor
        longFactorSwitchLength = parameters.scaling.longFactorSwitchLength
        mropeAxes = table.mropeAxes
    }

    /// How many slots fall in each regime (every regime present, possibly 0).
    public var regimeCounts: [FrequencyRegime: Int] {
        var counts = Dictionary(uniqueKeysWithValues: FrequencyRegime.allCases.map { ($0, 0) })
        for regime in regimes { counts[regime, default: 0] += 1 }
        return counts
    }

    /// The first slot whose wavelength exceeds the original context (it never completes a turn there); nil when
    /// none does or the original context is unknown. Zero frequencies have no wavelength and are skipped.
    public var firstSlotBeyondOriginal: Int? {
        guard let originalContext else { return nil }
        return wavelengths.firstIndex { wavelength in wavelength.map { $0 > Double(originalContext) } ?? false }
    }

    /// The precision report for `positions` with these (scaled) inverse frequencies.
    public func precision(positions: [Int]) -> AnglePrecision {
        AnglePrecision(positions: positions, inverseFrequencies: inverseFrequencies)
    }
}
