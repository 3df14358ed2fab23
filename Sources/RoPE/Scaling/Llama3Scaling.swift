import Foundation

/// Llama 3.1 scaling: frequencies are kept, divided by `factor`, or blended, depending on their wavelength.
///
/// With `wavelen = 2 pi / inv`, `low_wl = omax / low_freq_factor`, `high_wl = omax / high_freq_factor`:
/// `inv_llama = wavelen > low_wl ? inv / factor : inv`; `smooth = (omax / wavelen - low) / (high - low)`;
/// `smoothed = (1 - smooth) * inv_llama / factor + smooth * inv_llama`; the medium band
/// `!(wavelen < high_wl) && !(wavelen > low_wl)` takes `smoothed`, the rest `inv_llama`. Attention factor 1.
/// Matches `transformers.modeling_rope_utils._compute_llama3_parameters`.
public struct Llama3Scaling: Sendable, Hashable {
    /// The interpolation factor for low frequencies (`rope_scaling.factor`).
    public var factor: Double
    /// Wavelengths above `omax / lowFreqFactor` are fully interpolated (`low_freq_factor`).
    public var lowFreqFactor: Double = 1
    /// Wavelengths below `omax / highFreqFactor` are kept (`high_freq_factor`).
    public var highFreqFactor: Double = 4
    /// The pre-training context length `omax` (`original_max_position_embeddings`).
    public var originalMaxPositionEmbeddings: Int = 8192

    /// Creates Llama 3 scaling by `factor` with HF's defaults for the band limits and original context.
    public init(factor: Double) {
        self.factor = factor
    }

    /// The Llama 3 frequencies for base `base` and rotary dimension `r`.
    func frequencies(base: Double, rotaryDimension r: Int) throws(RoPEError) -> ScaledFrequencies {
        try RoPEError.requirePositiveFinite(factor, field: "rope_scaling.factor")
        try RoPEError.requirePositiveFinite(lowFreqFactor, field: "rope_scaling.low_freq_factor")
        try RoPEError.requirePositiveFinite(highFreqFactor, field: "rope_scaling.high_freq_factor")
        try RoPEError.requirePositive(originalMaxPositionEmbeddings,
                                      field: "rope_scaling.original_max_position_embeddings")
        guard highFreqFactor > lowFreqFactor else {
            // The smoothing divides by high - low; equal values would make the blend undefined.
            throw RoPEError(.invalidParameter, field: "rope_scaling.high_freq_factor",
                            "rope_scaling.high_freq_factor (\(highFreqFactor)) must be greater than "
                                + "low_freq_factor (\(lowFreqFactor))")
        }
        let originalContext = Double(originalMaxPositionEmbeddings)
        let lowFrequencyWavelength = originalContext / lowFreqFactor
        let highFrequencyWavelength = originalContext / highFreqFactor

        let inverse = FrequencyTable.defaultInverseFrequencies(base: base, rotaryDimension: r).map { frequency in
            let wavelength = 2 * Double.pi / frequency
            let interpolated = wavelength > lowFrequencyWavelength ? frequency / factor : frequency
            let smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor)
            let smoothed = (1 - smooth) * interpolated / factor + smooth * interpolated
            let isMediumFrequency = !(wavelength < highFrequencyWavelength) && !(wavelength > lowFrequencyWavelength)
            return isMediumFrequency ? smoothed : interpolated
        }
        try RoPEError.requireUsableFrequencies(inverse, field: "rope_scaling.factor")
        return ScaledFrequencies(inverseFrequencies: inverse, attentionFactor: 1)
    }
}
