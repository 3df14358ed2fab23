#if canImport(Glibc)
import Glibc
#endif

/// Process-wide malloc settings for a server that allocates and frees tens of megabytes per large request.
///
/// glibc serves every allocation above its mmap threshold (at most 32 MiB by default, growing dynamically) with a
/// fresh mmap and returns it with munmap on free, so each 33 MB tensor pays ~8,000 page faults: measured here,
/// malloc + memcpy + free of 33.6 MB takes ~19 ms that way against ~3 ms when the freed memory is reused. Raising
/// the mmap threshold above the largest body and the trim threshold above what concurrent requests hold keeps that
/// memory in the heap for the next request. The cost is resident memory that is not given back to the system
/// (bounded by the peak of concurrent large requests).
public enum AllocatorTuning {
    /// Keeps allocations up to `largestAllocation` bytes on the heap and retains up to `retainedBytes` freed bytes.
    /// Call once at start, before threads are created. Returns false where the allocator is not glibc's.
    @discardableResult
    public static func keepLargeBuffersOnHeap(largestAllocation: Int = 256 << 20, retainedBytes: Int = 512 << 20) -> Bool {
        #if canImport(Glibc)
        let threshold = Int32(clamping: largestAllocation)
        let trim = Int32(clamping: retainedBytes)
        return glibcMallopt(mmapThresholdOption, threshold) == 1 && glibcMallopt(trimThresholdOption, trim) == 1
        #else
        return false
        #endif
    }

    // <malloc.h> is not part of the Glibc module; these are its M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
    private static let trimThresholdOption: Int32 = -1
    private static let mmapThresholdOption: Int32 = -3
}

#if canImport(Glibc)
/// glibc's `int mallopt(int param, int value)`.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
