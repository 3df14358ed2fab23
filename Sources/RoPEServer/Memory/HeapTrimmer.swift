import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Gives freed heap memory back to the system after a burst of large requests.
///
/// `AllocatorTuning` keeps large buffers on the heap so that back-to-back large requests reuse them; without a
/// trim the process would keep its peak for ever. When the reserved bytes fall to `lowWater` or below after having
/// reached `highWater` since the last trim, `malloc_trim(0)` runs once, on a background queue (it walks every arena
/// and can take milliseconds).
struct HeapTrimmer: Sendable {
    let highWater: Int
    let lowWater: Int

    /// Whether the end of a burst has come: reservations back to `lowWater` after a peak of `highWater` or more.
    func shouldTrim(reserved: Int, peak: Int) -> Bool {
        reserved <= lowWater && peak >= highWater
    }

    /// Trims the heap on a background queue.
    func trimSoon() {
        DispatchQueue.global(qos: .utility).async {
            #if canImport(Glibc)
            _ = glibcMallocTrim(0)
            #endif
        }
    }
}

#if canImport(Glibc)
/// glibc's `int malloc_trim(size_t pad)` (<malloc.h> is not part of the Glibc module).
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
