/// How many leading features of each token are rotated (HF `rotary_dim` / `partial_rotary_factor`).
public enum RotaryDimension: Sendable, Hashable {
    /// Rotate every feature: r = d.
    case full
    /// Rotate the first `rotary_dim` features; it must be even, positive and at most d.
    case count(Int)
    /// Rotate `Int(Double(d) * factor)` features, as HF computes `int(head_dim * partial_rotary_factor)`.
    case fraction(Double)

    /// Resolves the rotary dimension r for head dimension `d`, rejecting odd, non-positive or too large values.
    public func resolve(headDimension d: Int) throws(RoPEError) -> Int {
        guard d > 0, d % 2 == 0 else {
            throw RoPEError(.invalidParameter, field: "dim",
                            "dim (\(d)) must be a positive even number: features are rotated in pairs")
        }
        switch self {
        case .full:
            return d
        case .count(let r):
            guard r > 0, r % 2 == 0 else {
                throw RoPEError(.invalidParameter, field: "rotary_dim",
                                "rotary_dim (\(r)) must be a positive even number: features are rotated in pairs")
            }
            guard r <= d else {
                throw RoPEError(.invalidParameter, field: "rotary_dim",
                                "rotary_dim (\(r)) must be <= the head dimension (\(d))")
            }
            return r
        case .fraction(let factor):
            guard factor.isFinite, factor > 0, factor <= 1 else {
                throw RoPEError(.invalidParameter, field: "partial_rotary_factor",
                                "partial_rotary_factor (\(factor)) must lie in (0, 1]")
            }
            // Truncation toward zero mirrors HF's int(head_dim * partial_rotary_factor).
            let r = Int(Double(d) * factor)
            guard r > 0, r % 2 == 0 else {
                throw RoPEError(.invalidParameter, field: "partial_rotary_factor",
                                "partial_rotary_factor (\(factor)) gives rotary_dim \(r) for head dimension \(d); "
                                    + "it must be a positive even number")
            }
            return r
        }
    }
}
