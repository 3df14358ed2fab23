import Foundation

/// Static NTK-aware scaling (bloc97, 2023): a larger base so the lowest frequency is interpolated by `factor`.
///
/// `b' = b * factor^(r/(r-2))`, `inv_freq[j] = b'^(-2j/r)`, attention factor 1. This is the base change of
/// `transformers.modeling_rope_utils._compute_dynamic_ntk_parameters` with the sequence term fixed at `factor`.
enum StaticNTKScaling {
    /// The default frequencies for the NTK-enlarged base; needs r > 2 because the exponent is r/(r-2).
    static func frequencies(factor: Double, base: Double, rotaryDimension r: Int) throws(RoPEError)
        -> ScaledFrequencies
    {
        try RoPEError.requirePositiveFinite(factor, field: "rope_scaling.factor")
        let scaledBase = try ntkBase(base: base, growth: factor, rotaryDimension: r)
        return ScaledFrequencies(inverseFrequencies: try inverseFrequencies(scaledBase: scaledBase, rotaryDimension: r),
                                 attentionFactor: 1)
    }

    /// The default ladder `b'^(-2j/r)` for the NTK-enlarged base, checked usable (field `rope_scaling.factor`);
    /// shared with dynamic NTK.
    static func inverseFrequencies(scaledBase: Double, rotaryDimension r: Int) throws(RoPEError) -> [Double] {
        let inverse = FrequencyTable.defaultInverseFrequencies(base: scaledBase, rotaryDimension: r)
        try RoPEError.requireUsableFrequencies(inverse, field: "rope_scaling.factor")
        return inverse
    }

    /// `base * growth^(r/(r-2))`, shared with dynamic NTK; rejects r = 2 (division by zero in the exponent).
    static func ntkBase(base: Double, growth: Double, rotaryDimension r: Int) throws(RoPEError) -> Double {
        guard r > 2 else {
            throw RoPEError(.invalidParameter, field: "rotary_dim",
                            "rotary_dim (\(r)) must be > 2 for NTK scaling, whose exponent is r/(r-2)")
        }
        let scaledBase = base * pow(growth, Double(r) / Double(r - 2))
        guard scaledBase.isFinite, scaledBase > 0 else {
            throw RoPEError(.invalidParameter, field: "rope_scaling.factor",
                            "rope_scaling.factor (\(growth)) makes the NTK base \(scaledBase), which is not a "
                                + "positive finite number")
        }
        return scaledBase
    }
}
