/// Eight ASCII bytes read as one little-endian 64-bit word, so a run of decimal digits is found and converted with
/// a handful of integer operations instead of a loop over its bytes (SWAR: SIMD within a register).
///
/// Byte 0 of the word is the first character of the text. The digit test is the one of simdjson and fast_float
/// (`is_made_of_eight_digits_fast`); the conversion is the three multiply-shift steps of "parsing eight digits"
/// (Wojciech Muła, http://0x80.pl/articles/simd-parsing-int-sequences.html; Daniel Lemire, "Fast float
/// parsing in practice", 2020), as in fast_float's `parse_eight_digits_unrolled`.
struct EightDigitWord {
    /// The eight bytes, the first one in the low byte.
    let bits: UInt64

    /// Reads the eight bytes at `pointer` (any alignment); all eight must be readable.
    @inline(always)
    init(loadingFrom pointer: UnsafePointer<UInt8>) {
        bits = UInt64(littleEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
    }

    /// 0x80 in each byte that is not an ASCII digit, exact up to and including the first such byte.
    ///
    /// A byte is a digit exactly when neither `byte + 0x46` nor `byte - 0x30` has its top bit set. Carries and
    /// borrows only travel upwards from a byte that is not a digit, so the lowest flagged byte is exact; the
    /// flags above it may be wrong but are never looked at.
    @inline(always)
    var nonDigitFlags: UInt64 {
        ((bits &+ 0x4646_4646_4646_4646) | (bits &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080
    }

    /// How many of the bytes, from the first, are ASCII digits before the first byte that is not one (0...8).
    @inline(always)
    var leadingDigitCount: Int {
        nonDigitFlags.trailingZeroBitCount &>> 3
    }

    /// A mask over the leading run of digits: all bits of each byte before the first non-digit, zero from the
    /// first non-digit on; when all eight bytes are digits, all bits but the top one (bit 62 is then set, and only
    /// then; the low seven bits of a byte hold any digit value 0...9).
    ///
    /// With `x` the flags moved to bit 0 of their bytes, `x ^ (x - 1)` sets every bit up to the lowest one of `x`
    /// (all 64 when there is none); shifting that right by one clears the lowest flag itself.
    @inline(always)
    var leadingDigitMask: UInt64 {
        let flags = nonDigitFlags &>> 7
        return (flags ^ (flags &- 1)) &>> 1
    }

    /// The leading run of digits read as an eight-digit number, the bytes after it counted as zeros: `12,3.....`
    /// gives 12_000_000. `mask` selects the digits (`leadingDigitMask`, or less).
    @inline(always)
    func paddedValue(digitMask mask: UInt64) -> UInt64 {
        Self.eightDigitValue((bits &- 0x3030_3030_3030_3030) & mask)
    }

    /// The value of the first `count` bytes as a decimal number; they must be digits and `count` in 1...8.
    /// The digits are moved to the top of the word, so the bytes shifted in at the bottom are leading zeros.
    @inline(always)
    func value(ofLeadingDigits count: Int) -> UInt64 {
        Self.eightDigitValue((bits &- 0x3030_3030_3030_3030) &<< UInt64(truncatingIfNeeded: 64 &- 8 &* count))
    }

    /// The decimal value of eight digit values 0...9, one per byte, the first in the low byte: adjacent bytes
    /// are combined into 2-digit, 4-digit and 8-digit values with three multiplications.
    @inline(always)
    static func eightDigitValue(_ digits: UInt64) -> UInt64 {
        let pairs = digits &* 10 &+ (digits &>> 8)
        let low = (pairs & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 &<< 32))
        let high = ((pairs &>> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 &<< 32))
        return (low &+ high) &>> 32
    }
}
