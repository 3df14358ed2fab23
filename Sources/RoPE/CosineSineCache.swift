import Synchronization

/// A [rows, r/2] table of cosines and sines, exactly as `RotationCoefficients.fill` writes them, shared read-only.
public final class CosineSineTable: Sendable {
    /// rows * r/2 cosines, row-major.
    public let cosines: [Float]
    /// rows * r/2 sines, row-major.
    public let sines: [Float]
    /// The number of rows (positions).
    public let rows: Int

    init(cosines: [Float], sines: [Float], rows: Int) {
        self.cosines = cosines
        self.sines = sines
        self.rows = rows
    }

    /// The bytes both arrays hold.
    var byteCount: Int { (cosines.count + sines.count) * MemoryLayout<Float>.stride }
}

/// What a cos/sin table depends on: the frequency table (inverse frequencies, rotary dimension, applied attention
/// factor), the (offset-applied) positions shared by every row, the direction, xPos, and the sequence length xPos
/// measures from.
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
    var inverse: Bool
    var xpos: XPos?
    var sequenceLength: Int
}

/// A thread-safe, bounded least-recently-used cache of cos/sin tables, so repeated requests with the same
/// parameters and positions skip the r/2 * s Double cos and sin evaluations (which cost more than the rotation).
///
/// Bounded both in entries and in bytes; a table larger than a quarter of the byte budget is never cached.
public final class CosineSineCache: Sendable {
    private struct Entry {
        var table: CosineSineTable
        var lastUse: UInt64
    }

    private struct State {
        var entries: [CosineSineKey: Entry] = [:]
        var clock: UInt64 = 0
        var bytes = 0
        var hits = 0
        var misses = 0
    }

    /// The process-wide cache the engine uses.
    public static let shared = CosineSineCache(maximumEntries: 64, maximumBytes: 64 << 20)

    /// The most tables kept.
    public let maximumEntries: Int
    /// The most bytes of tables kept.
    public let maximumBytes: Int
    private let state = Mutex(State())

    /// A cache holding at most `maximumEntries` tables and `maximumBytes` bytes of them.
    public init(maximumEntries: Int, maximumBytes: Int) {
        self.maximumEntries = maximumEntries
        self.maximumBytes = maximumBytes
    }

    /// (hits, misses, entries, bytes) since creation or the last `removeAll`.
    public var statistics: (hits: Int, misses: Int, entries: Int, bytes: Int) {
        state.withLock { ($0.hits, $0.misses, $0.entries.count, $0.bytes) }
    }

    /// Empties the cache and resets the statistics.
    public func removeAll() {
        state.withLock { $0 = State() }
    }

    /// The cached table for `key`, or `build()`'s result, which is then cached (evicting the least recently used).
    /// `build` runs outside the lock, so two threads may build the same table once each; both results are equal.
    func table(for key: CosineSineKey, build: () -> CosineSineTable) -> CosineSineTable {
        let cached: CosineSineTable? = state.withLock { state in
            state.clock &+= 1
            guard var entry = state.entries[key] else {
                state.misses += 1
                return nil
            }
            entry.lastUse = state.clock
            state.entries[key] = entry
            state.hits += 1
            return entry.table
        }
        if let cached { return cached }
        let table = build()
        let size = table.byteCount
        guard size <= maximumBytes / 4, maximumEntries > 0 else { return table }
        state.withLock { state in
            state.clock &+= 1
            if let replaced = state.entries.updateValue(Entry(table: table, lastUse: state.clock), forKey: key) {
                state.bytes -= replaced.table.byteCount
            }
            state.bytes += size
            while state.entries.count > maximumEntries || state.bytes > maximumBytes {
                // A linear scan: the cache holds a few dozen entries, and misses already cost r/2 * s cos and sin.
                guard let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else { break }
                state.bytes -= oldest.value.table.byteCount
                state.entries.removeValue(forKey: oldest.key)
            }
        }
        return table
    }
}
