/// The bookkeeping of a bounded least-recently-used cache: entries, their last use, and hit and miss counts.
///
/// A value type without locking of its own: `CosineSineCache` and `FrequencyTableCache` keep one inside a `Mutex`
/// and build values outside the lock. Bounded in entries and, when values weigh something, in total weight;
/// eviction is a linear scan for the oldest entry, which suits the few dozen entries these caches hold (only
/// insertions pay for it).
struct LeastRecentlyUsedStore<Key: Hashable, Value> {
    private struct Entry {
        var value: Value
        var weight: Int
        var lastUse: UInt64
    }

    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    /// Lookups that found their key.
    private(set) var hits = 0
    /// Lookups that did not.
    private(set) var misses = 0
    /// The sum of the entries' weights.
    private(set) var weight = 0

    /// The number of entries.
    var count: Int { entries.count }

    /// The value stored for `key`, now the most recently used, or nil; counted as a hit or a miss.
    mutating func value(for key: Key) -> Value? {
        clock &+= 1
        guard let index = entries.index(forKey: key) else {
            misses += 1
            return nil
        }
        // Through the index: one hash per hit, not a second lookup to store the new last use.
        entries.values[index].lastUse = clock
        hits += 1
        return entries.values[index].value
    }

    /// Stores `value` for `key` (replacing an earlier one), then evicts the least recently used entries until at
    /// most `maximumEntries` are left and their weights add up to at most `maximumWeight`.
    mutating func insert(_ value: Value, for key: Key, weight: Int = 0, maximumEntries: Int,
                         maximumWeight: Int = .max) {
        clock &+= 1
        if let replaced = entries.updateValue(Entry(value: value, weight: weight, lastUse: clock), forKey: key) {
            self.weight -= replaced.weight
        }
        self.weight += weight
        while entries.count > maximumEntries || self.weight > maximumWeight {
            guard let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else { break }
            self.weight -= oldest.value.weight
            entries.removeValue(forKey: oldest.key)
        }
    }
}
