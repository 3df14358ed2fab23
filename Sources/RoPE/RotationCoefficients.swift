import Foundation

/// Turns a position into the r/2 (cos, sin) coefficients the rotation kernel multiplies with.
///
/// Angles are `Double(position) * inv_freq[j]` in Double; cos and sin are taken in Double, multiplied by the
/// amplitude (attention factor times xPos scale, or their reciprocal for the inverse), and only then rounded
/// to Float, so position 1,000,000 is exact to float32 rounding. The inverse negates sin: R(-theta) / amplitude.
struct RotationCoefficients: Sendable {
    /// r/2 inverse frequencies.
    let inverseFrequencies: [Double]
    /// The attention factor applied in the forward direction.
    let attentionFactor: Double
    /// Whether the coefficients undo the forward map.
    let inverse: Bool
    /// xPos settings, if any, with the per-pair scales.
    let xpos: XPos?
    /// `(2j + 0.4r) / (1.4r)` per pair (empty without xPos).
    let xposPairScales: [Double]
    /// The sequence length s whose centre s/2 xPos measures powers from.
    let sequenceLength: Int
    /// M-RoPE: the axis index (0 t, 1 h, 2 w) of every slot; empty for plain RoPE.
    let slotAxes: [Int]

    /// Prepares coefficients for `table`, in the forward or inverse direction, with optional xPos.
    init(table: FrequencyTable, inverse: Bool, xpos: XPos?, sequenceLength: Int) {
        inverseFrequencies = table.inverseFrequencies
        attentionFactor = table.appliedAttentionFactor
        self.inverse = inverse
        self.xpos = xpos
        xposPairScales = xpos == nil ? [] : XPos.pairScales(rotaryDimension: table.rotaryDimension)
        self.sequenceLength = sequenceLength
        slotAxes = table.mropeAxes?.map(\.rawValue) ?? []
    }

    /// The number of (cos, sin) pairs per position.
    var pairCount: Int { inverseFrequencies.count }

    /// Writes r/2 cosines and sines for `position` into the given buffers.
    func fill(position: Int, cosine: UnsafeMutablePointer<Float>, sine: UnsafeMutablePointer<Float>) {
        let p = Double(position)
        let exponent = xpos?.exponent(position: position, sequenceLength: sequenceLength) ?? 0
        write(cosine: cosine, sine: sine, position: { _ in p }, exponent: { _ in exponent })
    }

    /// Writes r/2 cosines and sines for an M-RoPE token at (t, h, w): slot j's angle (and xPos power) uses the
    /// position of its own axis, with the same arithmetic as `fill(position:)`, so t = h = w gives the same bits.
    func fill(axisPositions: (Int, Int, Int), cosine: UnsafeMutablePointer<Float>, sine: UnsafeMutablePointer<Float>) {
        // SIMD3 rather than arrays: no heap allocation per token on the per-row path.
        let p = SIMD3(Double(axisPositions.0), Double(axisPositions.1), Double(axisPositions.2))
        var exponents = SIMD3<Double>()
        if let xpos {
            exponents = SIMD3(xpos.exponent(position: axisPositions.0, sequenceLength: sequenceLength),
                              xpos.exponent(position: axisPositions.1, sequenceLength: sequenceLength),
                              xpos.exponent(position: axisPositions.2, sequenceLength: sequenceLength))
        }
        write(cosine: cosine, sine: sine, position: { p[slotAxes[$0]] }, exponent: { exponents[slotAxes[$0]] })
    }

    /// The shared arithmetic: slot j's angle is `position(j) * inv_freq[j]` in Double; with xPos its amplitude is
    /// `attention factor * scale_j^exponent(j)` (the reciprocal for the inverse), else the attention factor.
    @inline(__always)
    private func write(cosine: UnsafeMutablePointer<Float>, sine: UnsafeMutablePointer<Float>,
                       position: (Int) -> Double, exponent: (Int) -> Double) {
        let sineSign: Double = inverse ? -1 : 1
        if xpos != nil {
            for j in 0..<inverseFrequencies.count {
                let angle = position(j) * inverseFrequencies[j]
                let forwardAmplitude = attentionFactor * pow(xposPairScales[j], exponent(j))
                let amplitude = inverse ? 1 / forwardAmplitude : forwardAmplitude
                cosine[j] = Float(cos(angle) * amplitude)
                sine[j] = Float(sineSign * sin(angle) * amplitude)
            }
        } else {
            let amplitude = inverse ? 1 / attentionFactor : attentionFactor
            for j in 0..<inverseFrequencies.count {
                let angle = position(j) * inverseFrequencies[j]
                cosine[j] = Float(cos(angle) * amplitude)
                sine[j] = Float(sineSign * sin(angle) * amplitude)
            }
        }
    }
}
