/// The HF `rope_scaling` variants: how the inverse frequencies (and the attention factor) are reshaped.
///
/// Each case matches a function of `transformers.modeling_rope_utils`; the formulas are documented on the
/// per-type files in this folder.
public enum RoPEScaling: Sendable, Hashable {
    /// rope_type `default`: inv_freq[j] = b^(-2j/r), attention factor 1.
    case none
    /// rope_type `linear` (position interpolation, Chen et al. 2023): inv_freq / factor.
    case linear(factor: Double)
    /// rope_type `ntk` (static NTK-aware, bloc97 2023): the base becomes b * factor^(r/(r-2)).
    case ntk(factor: Double)
    /// rope_type `dynamic`: NTK base change that grows with the sequence length.
    case dynamic(DynamicNTKScaling)
    /// rope_type `yarn` (Peng et al. 2023): NTK-by-parts interpolation plus an attention (temperature) factor.
    case yarn(YaRNScaling)
    /// rope_type `llama3` (Llama 3.1): piecewise interpolation by wavelength band.
    case llama3(Llama3Scaling)
    /// rope_type `longrope` (Ding et al. 2024; Phi-3): per-frequency rescale factors, short or long by sequence
    /// length.
    case longrope(LongRoPEScaling)
    /// rope_type `proportional` (Gemma 4): the ladder over d with only the first p d / 2 frequencies non-zero.
    case proportional(ProportionalScaling)
}

/// Inverse frequencies after scaling, with the attention factor the scaling prescribes.
struct ScaledFrequencies: Sendable, Equatable {
    /// r/2 inverse frequencies in radians per position.
    var inverseFrequencies: [Double]
    /// The factor HF multiplies cos and sin by (1 for types without one).
    var attentionFactor: Double
}

extension RoPEScaling {
    /// Computes the scaled inverse frequencies for base `base`, rotary dimension `r` and the known sequence length.
    func scaledFrequencies(base: Double, rotaryDimension r: Int, sequenceLength: Int?) throws(RoPEError)
        -> ScaledFrequencies
    {
        switch self {
        case .none:
            return ScaledFrequencies(
                inverseFrequencies: FrequencyTable.defaultInverseFrequencies(base: base, rotaryDimension: r),
                attentionFactor: 1)
        case .linear(let factor):
            return try LinearScaling.frequencies(factor: factor, base: base, rotaryDimension: r)
        case .ntk(let factor):
            return try StaticNTKScaling.frequencies(factor: factor, base: base, rotaryDimension: r)
        case .dynamic(let dynamic):
            return try dynamic.frequencies(base: base, rotaryDimension: r, sequenceLength: sequenceLength)
        case .yarn(let yarn):
            return try yarn.frequencies(base: base, rotaryDimension: r)
        case .llama3(let llama3):
            return try llama3.frequencies(base: base, rotaryDimension: r)
        case .longrope(let longrope):
            return try longrope.frequencies(base: base, rotaryDimension: r, sequenceLength: sequenceLength)
        case .proportional(let proportional):
            return try proportional.frequencies(base: base, rotaryDimension: r)
        }
    }
}
