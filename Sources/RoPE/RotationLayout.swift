/// Which features of a token form the two-dimensional planes that RoPE rotates.
public enum RotationLayout: String, Sendable, Hashable, CaseIterable {
    /// GPT-NeoX / HF `rotate_half`: feature `i` pairs with feature `i + r/2`.
    case half
    /// RoFormer paper / GPT-J / Meta: feature `2i` pairs with feature `2i + 1`.
    case interleaved

    /// Parses a layout name: `half`, `interleaved`, or the model-family aliases `neox` (half) and `gptj` (interleaved).
    public init?(name: String) {
        switch name {
        case "half", "neox": self = .half
        case "interleaved", "gptj": self = .interleaved
        default: return nil
        }
    }
}
