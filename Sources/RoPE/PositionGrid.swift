/// Which position each token of a tensor has, before the request's offset is added.
public enum PositionGrid: Sendable, Hashable {
    /// Positions 0..<s, the same for every row.
    case sequential
    /// Explicit positions of length s, the same for every row.
    case shared([Int])
    /// One position per token: length rowCount * s, row-major over the full shape without the feature axis.
    case perRow([Int])
    /// Three position axes per token for M-RoPE (needs `RoPEParameters.mropeSection`).
    case multiAxis(MRoPEPositions)
}

extension PositionGrid {
    /// The input field errors about these positions name: `multiAxisField` for M-RoPE's 3-axis positions, else
    /// `field`.
    func reportedField(_ field: String, multiAxis multiAxisField: String = "mrope_positions") -> String {
        if case .multiAxis = self { multiAxisField } else { field }
    }
}
