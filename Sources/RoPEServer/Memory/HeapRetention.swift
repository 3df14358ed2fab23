/// When the allocator keeps freed large buffers for the next request, and when it gives them back to the system.
///
/// `AllocatorTuning` keeps large buffers on the heap (a high trim threshold) so that back-to-back large requests
/// reuse them. But glibc gives a thread's arena back only when a free reaches its top chunk above the trim
/// threshold, and `malloc_trim` does not shrink those arenas' tops: with the high threshold, each worker thread's
/// arena would keep its share of the peak for ever. So retention is switched off at the end of a burst (the
/// reserved bytes back at `lowWater` or below after a peak of `highWater` or more): the trim threshold drops, the
/// frees that end the burst give their arenas back, and `malloc_trim` returns what lies in the free lists. It is
/// switched on again by the next large request (`largeRequestBytes` or more).
struct HeapRetention: Sendable, Hashable {
    let highWater: Int
    let lowWater: Int
    let largeRequestBytes: Int
    /// Whether freed large buffers are kept (the allocator's state; on at start, see `AllocatorTuning`).
    private(set) var retaining = true

    init(highWater: Int, lowWater: Int, largeRequestBytes: Int) {
        self.highWater = highWater
        self.lowWater = lowWater
        self.largeRequestBytes = largeRequestBytes
    }

    /// A request of `bytes` was admitted: true when retention must be switched on now.
    mutating func admitted(_ bytes: Int) -> Bool {
        guard !retaining, bytes >= largeRequestBytes else { return false }
        retaining = true
        return true
    }

    /// Reservations fell to `reserved` after a peak of `peak`: true when the burst is over and retention must be
    /// switched off now (and the heap trimmed).
    mutating func released(reserved: Int, peak: Int) -> Bool {
        guard reserved <= lowWater, peak >= highWater else { return false }
        retaining = false
        return true
    }
}
