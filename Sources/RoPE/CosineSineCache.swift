import Synchronization

/// A [rows, r/2] table of `cos(p_i * inv_freq[j]) * a` and `sin(p_i * inv_freq[j]) * a` (RoFormer eq. 34; `a` is
/// the applied attention factor times any xPos scale; the inverse has 1/a and -sin), exactly as
/// `RotationCoefficients.fill` writes them, shared read-only.
public final class CosineSineTable: Sendable {
    /// rows * r/2 cosines, row-major.
    public let cosines: [Float]
    /// rows * r/2 sines, row-major.
    public let sines: [Float]
    /// The number of rows (positions).
    public let rows: Int

    /// The one cos/sin table builder: [positions.count, r/2] entries computed in Double (split across cores when
    /// `parallel`); with `spatial`, row i is the M-RoPE token at (positions[i], height[i], width[i]).
    init(_ coefficients: RotationCoefficients, positions: [Int], spatial: SpatialPositions?, parallel: Bool) {
        let pairCount = coefficients.pairCount
        let count = positions.count * pairCount
        var cosines = [Float](repeating: 0, count: count)
        var sines = [Float](repeating: 0, count: count)
        cosines.withUnsafeMutableBufferPointer { cosBuffer in
            sines.withUnsafeMutableBufferPointer { sinBuffer in
                guard let cosBase = cosBuffer.baseAddress, let sinBase = sinBuffer.baseAddress else { return }
                let tablePointers = UncheckedSendable(wrapped: (cosines: cosBase, sines: sinBase))
                ParallelChunks.run(count: positions.count, parallel: parallel) { range in
                    for index in range {
                        let cosine = tablePointers.wrapped.cosines + index * pairCount
                        let sine = tablePointers.wrapped.sines + index * pairCount
                        if let spatial {
                            coefficients.fill(axisPositions: (positions[index], spatial.height[index],
                                                              spatial.width[index]), cosine: cosine, sine: sine)
                        } else {
                            coefficients.fill(position: positions[index], cosine: cosine, sine: sine)
                        }
                    }
                }
            }
        }
        self.cosines = cosines
        self.sines = sines
        self.rows = positions.count
    }

    /// The bytes both arrays hold.
    var byteCount: Int { (cosines.count + sines.count) * MemoryLayout<Float>.stride }
}

/// What a cos/sin table depends on: the frequency table (inverse frequencies, rotary dimension, applied attention
/// factor, M-RoPE axes), the (offset-applied) positions shared by every row (all three axes for M-RoPE), the
/// direction, xPos, and the sequence length xPos measures from.
struct CosineSineKey: Hashable, Sendable {
    /// Positions `start ..< start + count` (the common case, hashed in O(1)) or an explicit list.
    enum Positions: Hashable, Sendable {
        case consecutive(start: Int, count: Int)
        case list([Int])

        init(_ positions: [Int]) {
            if let first = positions.first,
               positions.indices.allSatisfy({ positions[$0] == first &+ $0 }),
               !first.addingReportingOverflow(positions.count).overflow
            {
                self = .consecutive(start: first, count: positions.count)
            } else {
                self = .list(positions)
            }
        }
    }

    var table: FrequencyTable
    var positions: Positions
    /// M-RoPE's height and width axes (the temporal axis is `positions`); nil for single-axis positions.
    var spatial: SpatialPositions?
    var inverse: Bool
    var xpos: XPos?
    var sequenceLength: Int
}

/// A thread-safe, bounded least-recently-used cache of cos/sin tables (one per `Engine`), so repeated requests with
/// the same parameters and positions skip the r/2 * s Double cos and sin evaluations (which cost more than the
/// rotation).
///
/// Bounded both in entries and in bytes; a table larger than a quarter of the byte budget is never cached.
public final class CosineSineCache: Sendable {
    /// The most tables kept.
    public let maximumEntries: Int
    /// The most bytes of tables kept.
    public let maximumBytes: Int
    private let store = Mutex(LeastRecentlyUsedStore<CosineSineKey, CosineSineTable>())

    /// A cache holding at most `maximumEntries` tables and `maximumBytes` bytes of them (0 entries: keeps none).
    public init(maximumEntries: Int, maximumBytes: Int) {
        self.maximumEntries = maximumEntries
        self.maximumBytes = maximumBytes
    }

    /// (hits, misses, entries, bytes) since creation or the last `removeAll`.
    public var statistics: (hits: Int, misses: Int, entries: Int, bytes: Int) {
        store.withLock { ($0.hits, $0.misses, $0.count, $0.weight) }
    }

    /// Empties the cache and resets the statistics.
    public func removeAll() {
        store.withLock { $0 = LeastRecentlyUsedStore() }
    }

    /// The cached table for `key`, or `build()`'s result, which is then cached (evicting the least recently used).
    /// `build` runs outside the lock, so two threads may build the same table once each; both results are equal.
    func table(for key: CosineSineKey, build: () -> CosineSineTable) -> CosineSineTable {
        if let cached = store.withLock({ $0.value(for: key) }) { return cached }
        let table = build()
        let size = table.byteCount
        guard size <= maximumBytes / 4, maximumEntries > 0 else { return table }
        store.withLock {
            $0.insert(table, for: key, weight: size, maximumEntries: maximumEntries, maximumWeight: maximumBytes)
        }
        return table
    }
}
