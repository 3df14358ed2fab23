/// The inner loop of RoPE: rotates the r/2 pairs of one token's features in place by given (cos, sin) coefficients.
///
/// For each pair (x, y): `x' = x cos - y sin`, `y' = x sin + y cos` in Float; features r..<d are untouched.
struct RotationKernel: Sendable {
    /// r/2, the number of rotated pairs.
    let pairCount: Int
    /// Which features form a pair.
    let layout: RotationLayout

    /// Rotates the rotary features of the token starting at `features` using `cosine[j]` and `sine[j]` for pair j.
    @inline(__always)
    func rotate(_ features: UnsafeMutablePointer<Float>, cosine: UnsafePointer<Float>, sine: UnsafePointer<Float>) {
        switch layout {
        case .half:
            let second = features + pairCount
            for j in 0..<pairCount {
                let x = features[j], y = second[j]
                let c = cosine[j], s = sine[j]
                features[j] = x * c - y * s
                second[j] = x * s + y * c
            }
        case .interleaved:
            for j in 0..<pairCount {
                let x = features[2 * j], y = features[2 * j + 1]
                let c = cosine[j], s = sine[j]
                features[2 * j] = x * c - y * s
                features[2 * j + 1] = x * s + y * c
            }
        }
    }
}
