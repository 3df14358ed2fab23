import Foundation

/// xPos length-extrapolation scaling (Sun et al. 2022) with rotary-embedding-torch semantics.
///
/// For pair j < r/2, `scale_j = (2j + 0.4 r) / (1.4 r)` and `power = (position - s / 2) / scaleBase`
/// (integer division, position already including the offset). A query is multiplied by `scale_j^power`,
/// a key by `scale_j^-power`, so their product depends only on the relative distance. Both members of
/// pair j get `scale_j`; pass-through features are not scaled.
public struct XPos: Sendable, Hashable {
    /// Whether the tensor holds queries (scaled up with position) or keys (scaled down).
    public enum Role: String, Sendable, Hashable {
        /// Multiplied by `scale^power`.
        case query
        /// Multiplied by `scale^-power`.
        case key
    }

    /// The default `scale_base` = 512 of xPos (Sun et al. 2022; rotary-embedding-torch): positions per power.
    public static let defaultScaleBase: Double = 512

    /// The length over which the scale changes by one power (`scale_base`, default `defaultScaleBase`); positive
    /// and finite.
    public var scaleBase: Double
    /// Whether the tensor is a query or a key.
    public var role: Role

    /// Creates xPos scaling for `role` with the given `scaleBase`.
    public init(role: Role, scaleBase: Double = XPos.defaultScaleBase) {
        self.role = role
        self.scaleBase = scaleBase
    }

    /// Rejects a scale base that would make every power infinite or undefined.
    func validate() throws(RoPEError) {
        guard scaleBase.isFinite, scaleBase > 0 else {
            throw RoPEError(.invalidParameter, field: "xpos.scale_base",
                            "xpos.scale_base (\(scaleBase)) must be a positive finite number")
        }
    }

    /// The largest |ln scale_j| over all pairs: scale_0 = 0.4r / 1.4r = 2/7 for every r, the others lie in (2/7, 1).
    static let largestLogScale = -log(2.0 / 7.0)

    /// The largest |power * ln scale| accepted: e^80 keeps every scaled value (and its inverse) inside float32 range.
    static let largestLogAmplitude = 80.0

    /// Rejects positions so far from the centre that scale^power would overflow or underflow float32.
    func validateRange(minimumPosition: Int, maximumPosition: Int, sequenceLength: Int) throws(RoPEError) {
        let steepest = max(abs(exponent(position: minimumPosition, sequenceLength: sequenceLength)),
                           abs(exponent(position: maximumPosition, sequenceLength: sequenceLength)))
        guard steepest * Self.largestLogScale <= Self.largestLogAmplitude else {
            throw RoPEError(.invalidParameter, field: "xpos.scale_base",
                            "xpos.scale_base (\(scaleBase)) is too small for positions "
                                + "\(minimumPosition)...\(maximumPosition): scale^power would leave the float32 range")
        }
    }

    /// The per-pair scale `(2j + 0.4 r) / (1.4 r)` for j < r/2.
    static func pairScales(rotaryDimension r: Int) -> [Double] {
        let rotary = Double(r)
        return (0..<(r / 2)).map { j in (2 * Double(j) + 0.4 * rotary) / (1.4 * rotary) }
    }

    /// The exponent applied to `scale_j` at `position` for a sequence of `sequenceLength` tokens.
    func exponent(position: Int, sequenceLength: Int) -> Double {
        // Double arithmetic: position - s/2 can overflow Int for extreme negative positions.
        let power = (Double(position) - Double(sequenceLength / 2)) / scaleBase
        return role == .query ? power : -power
    }
}
