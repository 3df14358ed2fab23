import Synchronization

/// What a frequency table depends on: the parameters, the head dimension, and the sequence length only as far as
/// the scaling type sees it, so requests of different lengths share an entry whenever their frequencies agree.
struct FrequencyTableKey: Hashable, Sendable {
    var parameters: RoPEParameters
    var headDimension: Int
    var sequenceLength: RoPEScaling.SequenceLengthDependence

    /// The key of `FrequencyTable(parameters:headDimension:sequenceLength:)` for these arguments.
    init(parameters: RoPEParameters, headDimension: Int, sequenceLength: Int?) {
        self.parameters = parameters
        self.headDimension = headDimension
        self.sequenceLength = parameters.scaling.sequenceLengthDependence(sequenceLength)
    }
}

/// A thread-safe, bounded least-recently-used cache of frequency tables (one per `Engine`), so repeated requests
/// with the same parameters skip the validation, the r/2 `pow` calls of the default ladder and the scaling's own work.
///
/// Only tables are kept, never errors: a parameter set that throws is validated again, and throws again, on every
/// call. A hit skips validation, which is sound because the table, and whether building it throws, is a pure
/// function of the key (`Double` fields compare +0 and -0 equal; every field where zero is valid treats both alike).
public final class FrequencyTableCache: Sendable {
    /// The most tables kept.
    public let maximumEntries: Int
    private let store = Mutex(LeastRecentlyUsedStore<FrequencyTableKey, FrequencyTable>())

    /// A cache holding at most `maximumEntries` tables (0: keeps none).
    public init(maximumEntries: Int) {
        self.maximumEntries = maximumEntries
    }

    /// (hits, misses, entries) since creation or the last `removeAll`; a build that throws counts as a miss.
    public var statistics: (hits: Int, misses: Int, entries: Int) {
        store.withLock { ($0.hits, $0.misses, $0.count) }
    }

    /// Empties the cache and resets the statistics.
    public func removeAll() {
        store.withLock { $0 = LeastRecentlyUsedStore() }
    }

    /// The table `FrequencyTable(parameters:headDimension:sequenceLength:)` builds, from the cache when an earlier
    /// call with the same key built it, else built now and cached (evicting the least recently used).
    ///
    /// The build runs outside the lock, so two threads may build the same table once each; both results are equal.
    public func table(parameters: RoPEParameters, headDimension: Int, sequenceLength: Int?) throws(RoPEError)
        -> FrequencyTable
    {
        let key = FrequencyTableKey(parameters: parameters, headDimension: headDimension,
                                    sequenceLength: sequenceLength)
        if let cached = store.withLock({ $0.value(for: key) }) { return cached }
        let table = try FrequencyTable(parameters: parameters, headDimension: headDimension,
                                       sequenceLength: sequenceLength)
        guard maximumEntries > 0 else { return table }
        store.withLock { $0.insert(table, for: key, maximumEntries: maximumEntries) }
        return table
    }
}
