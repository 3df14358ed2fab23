/// A floating-point type libraries form RoPE angles in, with IEEE 754 round-to-nearest-even into it.
///
/// Written out rather than taken from `Float16` or a bfloat16 type so the rounding is the same on every platform:
/// a finite x is rounded to `significandBits` significant bits at its binade's quantum
/// `2^(max(floor(log2 |x|), minimumExponent) - significandBits + 1)` (subnormals below `minimumExponent`), and
/// magnitudes that round to `2^(maximumExponent + 1)` or beyond become infinity.
public enum AngleFormat: String, Sendable, Hashable, CaseIterable {
    /// IEEE binary32: 24 significant bits, exponents -126...127.
    case float32
    /// Brain floating point (Google): float32's exponent range with 8 significant bits.
    case bfloat16
    /// IEEE binary16: 11 significant bits, exponents -14...15 (largest finite 65504).
    case float16

    /// Significant bits, the implicit leading bit included.
    var significandBits: Int {
        switch self {
        case .float32: 24
        case .bfloat16: 8
        case .float16: 11
        }
    }

    /// The exponent of the smallest normal number.
    var minimumExponent: Int {
        switch self {
        case .float32, .bfloat16: -126
        case .float16: -14
        }
    }

    /// The exponent of the largest finite number.
    var maximumExponent: Int {
        switch self {
        case .float32, .bfloat16: 127
        case .float16: 15
        }
    }

    /// `value` rounded to the nearest number of this format (ties to even), as a Double; infinite on overflow.
    public func rounded(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let binade = max(Int(value.exponent), minimumExponent)
        let quantumExponent = binade - significandBits + 1
        // Scaling by a power of two is exact here (the results stay far inside Double's range), so the only
        // rounding is the one to an integer count of quanta.
        let quanta = (Double(sign: .plus, exponent: -quantumExponent, significand: 1) * value)
            .rounded(.toNearestOrEven)
        let result = quanta * Double(sign: .plus, exponent: quantumExponent, significand: 1)
        let overflow = Double(sign: .plus, exponent: maximumExponent + 1, significand: 1)
        return abs(result) >= overflow ? (value < 0 ? -.infinity : .infinity) : result
    }
}
