#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Process-wide malloc settings for a server that allocates and frees tens of megabytes per large request.
///
/// glibc serves every allocation above its mmap threshold (at most 32 MiB by default, growing dynamically) with a
/// fresh mmap and returns it with munmap on free, so each 33 MB tensor pays ~8,000 page faults: measured here,
/// malloc + memcpy + free of 33.6 MB takes ~19 ms that way against ~3 ms when the freed memory is reused. Raising
/// the mmap threshold above the largest body and the trim threshold above what concurrent requests hold keeps that
/// memory in the heap for the next request. The cost is resident memory that is not given back to the system
/// (bounded by the peak of concurrent large requests), until `HeapRetention` sees a burst end.
public enum AllocatorTuning {
    /// Keeps allocations up to `largestAllocation` bytes on the heap and retains up to `retainedBytes` freed bytes.
    /// Call once at start, before threads are created. Returns false where the allocator is not glibc's.
    @discardableResult
    public static func keepLargeBuffersOnHeap(largestAllocation: Int = 256 << 20,
                                              retainedBytes: Int = defaultRetainedBytes) -> Bool {
        #if canImport(Glibc)
        let threshold = Int32(clamping: largestAllocation)
        let trim = Int32(clamping: retainedBytes)
        return glibcMallopt(mmapThresholdOption, threshold) == 1 && glibcMallopt(trimThresholdOption, trim) == 1
        #else
        return false
        #endif
    }

    /// The retained bytes `keepLargeBuffersOnHeap` sets by default.
    public static let defaultRetainedBytes = 512 << 20
    /// glibc's default trim threshold: freed memory above it at the top of an arena goes back to the system.
    static let givingBackTrimThreshold = 128 << 10

    /// Switches between keeping up to `defaultRetainedBytes` of freed memory (on) and giving back what is freed at
    /// the top of an arena (off); see `HeapRetention`. Returns false where the allocator is not glibc's.
    @discardableResult
    static func retainFreedMemory(_ retain: Bool) -> Bool {
        #if canImport(Glibc)
        let threshold = Int32(clamping: retain ? defaultRetainedBytes : givingBackTrimThreshold)
        return glibcMallopt(trimThresholdOption, threshold) == 1
        #else
        return false
        #endif
    }

    /// Returns the free memory of every arena's free lists to the system (`malloc_trim(0)`); it walks every arena,
    /// so callers run it off the request path.
    static func returnFreeMemory() {
        #if canImport(Glibc)
        _ = glibcMallocTrim(0)
        #endif
    }

    /// Makes the calling thread's arena give its free top back, when retention is off: a free that reaches an
    /// arena's top chunk is what trims it (`malloc_trim` trims only the main arena's top).
    static func giveArenaBack() {
        let block = malloc(256 << 10)
        // Published, so that the compiler cannot drop the malloc/free pair as unobservable.
        lastTouchedBlock.store(Int(bitPattern: block), ordering: .relaxed)
        free(block)
    }

    private static let lastTouchedBlock = Atomic<Int>(0)

    // <malloc.h> is not part of the Glibc module; these are its M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
    private static let trimThresholdOption: Int32 = -1
    private static let mmapThresholdOption: Int32 = -3
}

#if canImport(Glibc)
/// glibc's `int mallopt(int param, int value)`.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

#if canImport(Glibc)
/// glibc's `int malloc_trim(size_t pad)`.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
