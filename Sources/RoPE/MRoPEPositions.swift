/// The three position axes (t, h, w) of every token for M-RoPE (`mrope_positions`; Qwen2-VL, Wang et al. 2024),
/// before the offset.
public struct MRoPEPositions: Sendable, Hashable {
    /// Temporal positions.
    public var temporal: [Int]
    /// Height positions.
    public var height: [Int]
    /// Width positions.
    public var width: [Int]
    /// false: each axis has s entries shared by every row ([3, s]); true: one entry per token ([3, <leading>, s]).
    public var isPerRow: Bool

    /// Positions of three equally long axes, shared by the rows or one per token.
    public init(temporal: [Int], height: [Int], width: [Int], isPerRow: Bool) {
        self.temporal = temporal
        self.height = height
        self.width = width
        self.isPerRow = isPerRow
    }

    /// The axes in the order t, h, w.
    var axes: [[Int]] { [temporal, height, width] }
}
