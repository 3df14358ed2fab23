/// Linear position interpolation (Chen et al. 2023, "Extending Context Window ... via Positional Interpolation").
///
/// `inv_freq[j] = b^(-2j/r) / factor`, attention factor 1.
/// Matches `transformers.modeling_rope_utils._compute_linear_scaling_rope_parameters`.
enum LinearScaling {
    /// The default frequencies divided by `factor` (which must be positive and finite).
    static func frequencies(factor: Double, base: Double, rotaryDimension r: Int) throws(RoPEError)
        -> ScaledFrequencies
    {
        try RoPEError.requirePositiveFinite(factor, field: "rope_scaling.factor")
        let inverse = FrequencyTable.defaultInverseFrequencies(base: base, rotaryDimension: r).map { $0 / factor }
        try RoPEError.requireUsableFrequencies(inverse, field: "rope_scaling.factor")
        return ScaledFrequencies(inverseFrequencies: inverse, attentionFactor: 1)
    }
}
