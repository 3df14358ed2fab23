/// The height and width positions of M-RoPE tokens, laid out like `ResolvedPositions.positions`.
struct SpatialPositions: Sendable, Hashable {
    let height: [Int]
    let width: [Int]
}

/// The position of every token of a tensor after the offset is added, validated against the tensor's shape.
struct ResolvedPositions: Sendable, Equatable {
    /// Either s positions shared by every row, or one position per token (for M-RoPE: the temporal axis).
    let positions: [Int]
    /// Whether `positions` has one entry per sequence index (shared by all rows) rather than per token.
    let isShared: Bool
    /// The tokens per row, s.
    let sequenceLength: Int
    /// M-RoPE's height and width axes, laid out like `positions`; nil for single-axis positions.
    let spatial: SpatialPositions?

    /// Resolves `grid` plus `offset` for `geometry`; length errors name `field`, overflow names "offset".
    init(_ grid: PositionGrid, offset: Int, geometry: TensorGeometry, field: String) throws(RoPEError) {
        let s = geometry.sequenceLength
        var axes: [[Int]]
        var shared: Bool
        switch grid {
        case .sequential:
            axes = [Array(0..<s)]
            shared = true
        case .shared(let list):
            guard list.count == s else {
                throw RoPEError(.shapeMismatch, field: field,
                                "\(field) has \(list.count) entries but the sequence length is \(s)")
            }
            axes = [list]
            shared = true
        case .perRow(let list):
            guard list.count == geometry.tokenCount else {
                throw RoPEError(.shapeMismatch, field: field,
                                "\(field) has \(list.count) entries but the tensor has \(geometry.tokenCount) tokens "
                                    + "(the full shape without the last axis)")
            }
            axes = [list]
            shared = false
        case .multiAxis(let multi):
            let expected = multi.isPerRow ? geometry.tokenCount : s
            for axis in multi.axes where axis.count != expected {
                let what = multi.isPerRow
                    ? "tokens (the full shape without the last axis)" : "positions (the sequence length)"
                throw RoPEError(.shapeMismatch, field: field,
                                "\(field) has an axis of \(axis.count) entries but the tensor has \(expected) \(what)")
            }
            axes = multi.axes
            shared = !multi.isPerRow
        }
        // Batch and head rows usually repeat the same positions: then one shared cos/sin table serves all.
        if !shared && axes.allSatisfy({ Self.everyRowRepeatsTheFirst($0, sequenceLength: s) }) {
            axes = axes.map { Array($0.prefix(s)) }
            shared = true
        }
        isShared = shared
        sequenceLength = s
        if offset != 0 {
            for axis in axes.indices {
                for index in axes[axis].indices {
                    let (sum, overflow) = axes[axis][index].addingReportingOverflow(offset)
                    guard !overflow else {
                        throw RoPEError(.limitExceeded, field: "offset",
                                        "offset (\(offset)) + position (\(axes[axis][index])) overflows a 64-bit "
                                            + "integer")
                    }
                    axes[axis][index] = sum
                }
            }
        }
        positions = axes[0]
        spatial = axes.count == 3 ? SpatialPositions(height: axes[1], width: axes[2]) : nil
    }

    /// Whether every length-s row of `list` equals its first row.
    private static func everyRowRepeatsTheFirst(_ list: [Int], sequenceLength s: Int) -> Bool {
        guard s > 0, list.count > s else { return true }
        for index in s..<list.count where list[index] != list[index % s] { return false }
        return true
    }

    /// The largest position used over every axis, or nil when there are no tokens.
    var maximum: Int? {
        guard let spatial else { return positions.max() }
        return [positions.max(), spatial.height.max(), spatial.width.max()].compactMap { $0 }.max()
    }

    /// The smallest position used over every axis, or nil when there are no tokens.
    var minimum: Int? {
        guard let spatial else { return positions.min() }
        return [positions.min(), spatial.height.min(), spatial.width.min()].compactMap { $0 }.min()
    }

    /// HF's stateless seq_len = max(position_ids) + 1, at least 1, saturating instead of overflowing.
    static func scalingSequenceLength(maximumPosition: Int?) -> Int {
        guard let maximumPosition else { return 1 }
        return maximumPosition == Int.max ? Int.max : max(maximumPosition + 1, 1)
    }

    /// Throws unless the frequency table can read these positions: 3-axis positions need an M-RoPE section.
    func requireAxes(matching table: FrequencyTable, field: String) throws(RoPEError) {
        guard spatial == nil || table.mropeAxes != nil else {
            throw RoPEError(.invalidParameter, field: field,
                            "\(field) has three axes (t, h, w) but the RoPE parameters have no mrope_section")
        }
    }

    /// The position of token `token` (row-major over the shape without the feature axis); the temporal axis
    /// for M-RoPE.
    @inline(__always)
    func position(ofToken token: Int) -> Int {
        isShared ? positions[token % sequenceLength] : positions[token]
    }

    /// The (t, h, w) positions of token `token`; only for M-RoPE positions.
    @inline(__always)
    func axisPositions(ofToken token: Int, spatial: SpatialPositions) -> (Int, Int, Int) {
        let index = isShared ? token % sequenceLength : token
        return (positions[index], spatial.height[index], spatial.width[index])
    }
}
