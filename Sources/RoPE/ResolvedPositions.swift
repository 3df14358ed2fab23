/// The position of every token of a tensor after the offset is added, validated against the tensor's shape.
struct ResolvedPositions: Sendable, Equatable {
    /// Either s positions shared by every row, or one position per token.
    let positions: [Int]
    /// Whether `positions` has one entry per sequence index (shared by all rows) rather than per token.
    let isShared: Bool
    /// The tokens per row, s.
    let sequenceLength: Int

    /// Resolves `grid` plus `offset` for `geometry`; length errors name `field`, overflow names "offset".
    init(_ grid: PositionGrid, offset: Int, geometry: TensorGeometry, field: String) throws(RoPEError) {
        let s = geometry.sequenceLength
        let base: [Int]
        switch grid {
        case .sequential:
            base = Array(0..<s)
            isShared = true
        case .shared(let list):
            guard list.count == s else {
                throw RoPEError(.shapeMismatch, field: field,
                                "\(field) has \(list.count) entries but the sequence length is \(s)")
            }
            base = list
            isShared = true
        case .perRow(let list):
            guard list.count == geometry.tokenCount else {
                throw RoPEError(.shapeMismatch, field: field,
                                "\(field) has \(list.count) entries but the tensor has \(geometry.tokenCount) tokens (the full shape without the last axis)")
            }
            // Batch and head rows usually repeat the same positions: then one shared cos/sin table serves all.
            if Self.everyRowRepeatsTheFirst(list, sequenceLength: s) {
                base = Array(list.prefix(s))
                isShared = true
            } else {
                base = list
                isShared = false
            }
        }
        sequenceLength = s
        if offset == 0 {
            positions = base
        } else {
            var shifted = base
            for index in shifted.indices {
                let (sum, overflow) = shifted[index].addingReportingOverflow(offset)
                guard !overflow else {
                    throw RoPEError(.limitExceeded, field: "offset",
                                    "offset (\(offset)) + position (\(shifted[index])) overflows a 64-bit integer")
                }
                shifted[index] = sum
            }
            positions = shifted
        }
    }

    /// Whether every length-s row of `list` equals its first row.
    private static func everyRowRepeatsTheFirst(_ list: [Int], sequenceLength s: Int) -> Bool {
        guard s > 0, list.count > s else { return true }
        for index in s..<list.count where list[index] != list[index % s] { return false }
        return true
    }

    /// The largest position used, or nil when there are no tokens.
    var maximum: Int? { positions.max() }

    /// HF's stateless seq_len = max(position_ids) + 1, at least 1, saturating instead of overflowing.
    static func scalingSequenceLength(maximumPosition: Int?) -> Int {
        guard let maximumPosition else { return 1 }
        return maximumPosition == Int.max ? Int.max : max(maximumPosition + 1, 1)
    }

    /// The position of token `token` (row-major over the shape without the feature axis).
    @inline(__always)
    func position(ofToken token: Int) -> Int {
        isShared ? positions[token % sequenceLength] : positions[token]
    }
}
