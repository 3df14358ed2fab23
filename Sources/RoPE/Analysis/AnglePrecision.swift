import Foundation

/// How far cos and sin drift when the RoPE angle is formed in a narrow type instead of float64.
///
/// For position p, inverse frequency f_j and format T (float32, bfloat16, float16), the angle is formed as most
/// libraries form it: `a_T = round_T(round_T(p) * round_T(f_j))` (each operand rounded to T, the product rounded to
/// T), then cos and sin are taken exactly (in Double). The error is the largest over the slots j of
/// `|cos(a_T) - cos(p * f_j)|` (and likewise sin), the reference angle formed in float64.
public struct AnglePrecision: Sendable, Equatable {
    /// The largest errors of one format at one position; nil when the position or an angle overflows the format
    /// (float16 beyond 65504), so cos and sin are undefined there.
    public struct Errors: Sendable, Equatable {
        /// max_j |cos(a_T) - cos(a_64)|.
        public var cosine: Double?
        /// max_j |sin(a_T) - sin(a_64)|.
        public var sine: Double?
    }

    /// The positions examined, as given.
    public let positions: [Int]
    /// Per format, one `Errors` per position.
    public let errors: [AngleFormat: [Errors]]

    /// Measures every format at every position for the inverse frequencies `inverseFrequencies`.
    ///
    /// Costs positions.count * inverseFrequencies.count * 3 cos/sin pairs; the caller bounds both counts.
    public init(positions: [Int], inverseFrequencies: [Double]) {
        self.positions = positions
        var errors: [AngleFormat: [Errors]] = [:]
        for format in AngleFormat.allCases {
            let frequencies = inverseFrequencies.map(format.rounded)
            errors[format] = positions.map { position in
                Self.errors(position: position, inverseFrequencies: inverseFrequencies,
                            roundedFrequencies: frequencies, format: format)
            }
        }
        self.errors = errors
    }

    /// The largest cos and sin errors at `position` in `format` over every slot.
    private static func errors(position: Int, inverseFrequencies: [Double], roundedFrequencies: [Double],
                               format: AngleFormat) -> Errors {
        let exactPosition = Double(position)
        let roundedPosition = format.rounded(exactPosition)
        var largestCosine = 0.0, largestSine = 0.0
        for (frequency, roundedFrequency) in zip(inverseFrequencies, roundedFrequencies) {
            // Both operands carry at most 24 significant bits, so their Double product is exact before rounding.
            let angle = format.rounded(roundedPosition * roundedFrequency)
            guard angle.isFinite else { return Errors(cosine: nil, sine: nil) }
            let reference = exactPosition * frequency
            largestCosine = max(largestCosine, abs(cos(angle) - cos(reference)))
            largestSine = max(largestSine, abs(sin(angle) - sin(reference)))
        }
        return Errors(cosine: largestCosine, sine: largestSine)
    }
}
