#if arch(x86_64) && !ROPE_PORTABLE_BYTE_SCANS
import _Builtin_intrinsics.intel
#endif

/// The leading run of decimal digits in sixteen bytes of text (up to all sixteen), found and converted at once and
/// without branches that depend on its length: the fraction of a one-integer-digit literal such as `0.07513565`.
///
/// On x86-64 the sixteen bytes are one SSE2 register: a digit test per byte (`pminub`, `pcmpeqb`, `pmovmskb`), a
/// mask over the run from a sliding table, and three multiply-add steps (`pmaddwd`) that combine digits into
/// pairs, fours and eights, as in simdjson's and fast_float's 16-digit SIMD parsers (Lemire, "Fast float parsing
/// in practice", 2020; Muła, http://0x80.pl/articles/simd-parsing-int-sequences.html), here with SSE2 only
/// (`pmaddubsw` would need SSSE3, which the x86-64 baseline lacks): far fewer instructions than two
/// `EightDigitWord`s. Elsewhere, and when built with `-Xswiftc -DROPE_PORTABLE_BYTE_SCANS` (to test that path on
/// x86-64), it is two `EightDigitWord`s.
struct SixteenDigitRun {
    /// How many of the sixteen bytes, from the first, are ASCII digits before the first byte that is not one
    /// (0...16).
    let count: Int

    /// The run read as a sixteen-digit number, the bytes after it counted as zeros: `12,3...` gives
    /// 1_200_000_000_000_000.
    let paddedValue: UInt64

    /// Reads the sixteen bytes at `pointer` (any alignment); all sixteen must be readable.
    @inline(always)
    init(loadingFrom pointer: UnsafePointer<UInt8>) {
        #if arch(x86_64) && !ROPE_PORTABLE_BYTE_SCANS
        let bytes = _mm_loadu_si128(UnsafeRawPointer(pointer).assumingMemoryBound(to: __m128i.self))
        // Digit values 0...9 for the digits; every other byte wraps to 10...255.
        let values = _mm_sub_epi8(bytes, _mm_set1_epi8(0x30))
        let isDigit = _mm_cmpeq_epi8(_mm_min_epu8(values, _mm_set1_epi8(9)), values)
        // Bit i set for a digit at byte i; the bits from 16 up are clear, so the complement stops the count at 16.
        let digitBits = UInt32(truncatingIfNeeded: _mm_movemask_epi8(isDigit))
        count = (~digitBits).trailingZeroBitCount
        let digits = _mm_and_si128(values, Self.runMask(count: count))
        // Bytes to 16-bit lanes, then d0 * 10 + d1, (d0d1) * 100 + (d2d3), (d0...d3) * 10^4 + (d4...d7): each
        // pmaddwd multiplies adjacent 16-bit lanes and adds the pair into one 32-bit lane, which packssdw narrows
        // back to 16 bits (at most 9999, no saturation).
        let zero = _mm_setzero_si128()
        let tens = _mm_set_epi16(1, 10, 1, 10, 1, 10, 1, 10)
        let pairs = _mm_packs_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(digits, zero), tens),
                                    _mm_madd_epi16(_mm_unpackhi_epi8(digits, zero), tens))
        let fours = _mm_madd_epi16(pairs, _mm_set_epi16(1, 100, 1, 100, 1, 100, 1, 100))
        let eights = _mm_madd_epi16(_mm_packs_epi32(fours, fours),
                                    _mm_set_epi16(1, 10_000, 1, 10_000, 1, 10_000, 1, 10_000))
        // The first eight digits in the low 32 bits, the last eight in the high 32 bits.
        let halves = UInt64(bitPattern: _mm_cvtsi128_si64(eights))
        paddedValue = (halves & 0xFFFF_FFFF) &* 100_000_000 &+ (halves &>> 32)
        #else
        // The second word only counts when the first is all digits; otherwise its mask is cleared by the
        // sign-extended bit 62 of the first mask (set only when all eight bytes are digits), and its count by
        // the first count's bit 3 (set only for 8).
        let first = EightDigitWord(loadingFrom: pointer)
        let second = EightDigitWord(loadingFrom: pointer + 8)
        let firstMask = first.leadingDigitMask
        let secondMask = second.leadingDigitMask & UInt64(bitPattern: Int64(bitPattern: firstMask << 1) >> 63)
        let firstCount = first.leadingDigitCount
        count = firstCount &+ second.leadingDigitCount & (0 &- (firstCount &>> 3))
        paddedValue = first.paddedValue(digitMask: firstMask) &* 100_000_000
            &+ second.paddedValue(digitMask: secondMask)
        #endif
    }

    #if arch(x86_64) && !ROPE_PORTABLE_BYTE_SCANS
    /// Sixteen bytes of ones then sixteen of zeros: the sixteen bytes from offset 16 - count are a mask over the
    /// first `count` bytes. A literal, so it is static.
    private static let runMasks: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]

    /// All bits of the first `count` bytes (0...16), none of the others.
    @inline(always)
    private static func runMask(count: Int) -> __m128i {
        runMasks.withUnsafeBufferPointer { masks in
            _mm_loadu_si128(UnsafeRawPointer(masks.baseAddress! + (16 &- count)).assumingMemoryBound(to: __m128i.self))
        }
    }
    #endif
}
