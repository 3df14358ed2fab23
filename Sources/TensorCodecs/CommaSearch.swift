#if arch(x86_64) && !ROPE_PORTABLE_BYTE_SCANS
import _Builtin_intrinsics.intel
#endif

/// Where the first ',' is among 32 bytes of text, found by comparing all of them at once rather than by reading
/// a literal to its end: the tensor loop takes the next literal's offset from here.
///
/// Reading literals one after another is bound by latency, not by instruction count: each literal's end (its
/// digit count) decides where the next one starts, a long chain through loads, the digit test and the count.
/// This search is a shorter chain (two loads, `pcmpeqb`, `pmovmskb`, `tzcnt`), so when the literal's end is
/// checked against it with a well-predicted branch, the processor starts on the next literal while the current
/// one is still being converted. On x86-64 it is SSE2; elsewhere, and when built with
/// `-Xswiftc -DROPE_PORTABLE_BYTE_SCANS`, four eight-byte words with the zero-byte test of "Bit Twiddling Hacks"
/// (Sean Eron Anderson, "Determine if a word has a zero byte").
enum CommaSearch {
    /// The number of bytes before the first ',' among the 32 bytes at `pointer` (0...31), or 32 when there is
    /// none. All 32 bytes must be readable.
    @inline(always)
    static func distanceToFirstComma(_ pointer: UnsafePointer<UInt8>) -> Int {
        #if arch(x86_64) && !ROPE_PORTABLE_BYTE_SCANS
        let commas = _mm_set1_epi8(0x2C)
        let low = _mm_loadu_si128(UnsafeRawPointer(pointer).assumingMemoryBound(to: __m128i.self))
        let high = _mm_loadu_si128(UnsafeRawPointer(pointer + 16).assumingMemoryBound(to: __m128i.self))
        // Bit i set for a ',' at byte i; bit 32 stops the count when there is none.
        let commaBits = UInt64(UInt32(truncatingIfNeeded: _mm_movemask_epi8(_mm_cmpeq_epi8(low, commas))))
            | UInt64(UInt32(truncatingIfNeeded: _mm_movemask_epi8(_mm_cmpeq_epi8(high, commas)))) &<< 16
            | 1 &<< 32
        return commaBits.trailingZeroBitCount
        #else
        for wordIndex in 0..<4 {
            let word = UInt64(littleEndian: UnsafeRawPointer(pointer + 8 &* wordIndex).loadUnaligned(as: UInt64.self))
                ^ 0x2C2C_2C2C_2C2C_2C2C
            // 0x80 in each zero byte (a ','); borrows only travel up from a zero byte, so the lowest flag is exact.
            let zeroFlags = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
            if zeroFlags != 0 {
                return 8 &* wordIndex &+ zeroFlags.trailingZeroBitCount &>> 3
            }
        }
        return 32
        #endif
    }
}
