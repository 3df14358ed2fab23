/// Multimodal RoPE (M-RoPE; Qwen2-VL, Wang et al. 2024, section 2.1): which of the three position axes
/// (temporal, height, width) each frequency slot takes its angle from (`mrope_section`, `mrope_interleaved`).
///
/// Chunked (Qwen2-VL, Qwen2.5-VL): slot j < s_t reads t, j < s_t + s_h reads h, the rest w. Interleaved
/// (Qwen3-VL `apply_interleaved_mrope`): h if j % 3 == 1 and j < 3 s_h, w if j % 3 == 2 and j < 3 s_w, else t.
/// The three counts sum to r/2.
public struct MRoPESection: Sendable, Hashable {
    /// A position axis of M-RoPE.
    public enum Axis: Int, Sendable, Hashable, CaseIterable {
        /// The temporal axis t (text tokens advance it; causal masks compare it).
        case temporal = 0
        /// The image height axis h.
        case height = 1
        /// The image width axis w.
        case width = 2

        /// The axis's short name: "t", "h" or "w".
        public var name: String {
            switch self {
            case .temporal: "t"
            case .height: "h"
            case .width: "w"
            }
        }
    }

    /// Slots per axis: [s_t, s_h, s_w].
    public var counts: [Int]
    /// Whether the axes alternate (Qwen3-VL) instead of taking consecutive chunks (Qwen2-VL).
    public var interleaved: Bool

    /// A section of `counts` = [s_t, s_h, s_w] slots, chunked or interleaved.
    public init(counts: [Int], interleaved: Bool = false) {
        self.counts = counts
        self.interleaved = interleaved
    }

    /// The axis of every one of the `pairCount` = r/2 slots; the counts must be three non-negative numbers
    /// summing to r/2 (field `mrope_section`).
    public func axes(pairCount: Int) throws(RoPEError) -> [Axis] {
        guard counts.count == 3, counts.allSatisfy({ $0 >= 0 && $0 <= pairCount }) else {
            throw RoPEError(.invalidParameter, field: "mrope_section",
                            "mrope_section (\(counts)) must be three non-negative slot counts [t, h, w]")
        }
        guard counts.reduce(0, +) == pairCount else {
            throw RoPEError(.invalidParameter, field: "mrope_section",
                            "mrope_section (\(counts)) must sum to rotary_dim / 2 = \(pairCount)")
        }
        return (0..<pairCount).map { slot in
            if interleaved {
                if slot % 3 == 1 && slot < 3 * counts[1] { return .height }
                if slot % 3 == 2 && slot < 3 * counts[2] { return .width }
                return .temporal
            }
            if slot < counts[0] { return .temporal }
            return slot < counts[0] + counts[1] ? .height : .width
        }
    }
}
