/// Writes a float32 as the shortest decimal that reads back (float32, round to nearest even) as the same Float;
/// among equally short candidates the one closest to the exact value, ties to an even last digit, as
/// Float.description chooses.
enum ShortestFloatFormatter {
    /// The longest output: sign, 9 digits, point, 'e', '-', two exponent digits.
    static let maxLength = 16

    /// Bytes past the returned length that `write` may scribble on (it stores digits in fixed 8-byte blocks);
    /// callers reserve `maxLength + scratchSlack` and the next write overwrites them.
    static let scratchSlack = 16

    /// Writes `value` at `out` as JSON number text, the shortest round-trip decimal, or `null` for NaN and the
    /// infinities (JSON has no such numbers), and returns the number of bytes written (at most `maxLength`); the
    /// caller must have room for `maxLength + scratchSlack` bytes at `out`.
    @inline(__always)
    static func write(_ value: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let bits = value.bitPattern
        let biasedExponent = Int(bits &>> 23 & 0xFF)
        let fraction = bits & 0x7F_FFFF
        // The common case inline: a normal Float that is not a power of two (biased exponent 1 ... 254, fraction
        // bits not all zero). This test also keeps NaN and the infinities (biased exponent 255) out.
        guard fraction != 0 && UInt(bitPattern: biasedExponent &- 1) < 254 else {
            return writeUncommon(bits: bits, to: out)
        }
        let decimal = ShortestDecimal(biasedExponent: biasedExponent, nonzeroFraction: fraction)
        // The sign as an integer, not a Bool: the optimizer turned `isNegative ? 1 : 0` into a branch here.
        return format(significand: decimal.significand, exponent: decimal.exponent, signLength: Int(bits &>> 31), to: out)
    }

    /// `write` for zeros, powers of two, subnormals, NaN and the infinities: rare in tensors, so out of line.
    @inline(never)
    private static func writeUncommon(bits: UInt32, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let biasedExponent = Int(bits &>> 23 & 0xFF)
        let fraction = bits & 0x7F_FFFF
        if biasedExponent == 0xFF {
            out[0] = UInt8(ascii: "n"); out[1] = UInt8(ascii: "u"); out[2] = UInt8(ascii: "l"); out[3] = UInt8(ascii: "l")
            return 4
        }
        if bits & 0x7FFF_FFFF == 0 {
            // "-0.0" rather than "-0": Python's json reads "-0" as the integer 0 and loses the sign.
            if bits != 0 {
                out[0] = UInt8(ascii: "-"); out[1] = UInt8(ascii: "0"); out[2] = UInt8(ascii: "."); out[3] = UInt8(ascii: "0")
                return 4
            }
            out[0] = UInt8(ascii: "0")
            return 1
        }
        let decimal = ShortestDecimal(powerOfTwoOrSubnormalWithBiasedExponent: biasedExponent, fraction: fraction)
        return format(significand: decimal.significand, exponent: decimal.exponent, signLength: Int(bits &>> 31), to: out)
    }

    /// 10^0 ... 10^9: digit counting and left-aligning the significand.
    private static let powersOfTen: [UInt32] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    ]

    /// For numbers of bit length i + 1: the digit count d of 2^i in the high half, and when a power of ten 10^d lies
    /// below 2^(i+1), 2^32 − 10^d in the low half, so adding a number of that bit length carries into the high
    /// half exactly when it has d + 1 digits (Lemire's digit count).
    private static let digitCountsByBitIndex: [UInt64] = [
        0x1_0000_0000, 0x1_0000_0000, 0x1_0000_0000, 0x1_FFFF_FFF6,
        0x2_0000_0000, 0x2_0000_0000, 0x2_FFFF_FF9C, 0x3_0000_0000,
        0x3_0000_0000, 0x3_FFFF_FC18, 0x4_0000_0000, 0x4_0000_0000,
        0x4_0000_0000, 0x4_FFFF_D8F0, 0x5_0000_0000, 0x5_0000_0000,
        0x5_FFFE_7960, 0x6_0000_0000, 0x6_0000_0000, 0x6_FFF0_BDC0,
        0x7_0000_0000, 0x7_0000_0000, 0x7_0000_0000, 0x7_FF67_6980,
        0x8_0000_0000, 0x8_0000_0000, 0x8_FA0A_1F00, 0x9_0000_0000,
        0x9_0000_0000, 0x9_C465_3600, 0xA_0000_0000, 0xA_0000_0000,
    ]

    /// The number of decimal digits of `number` (> 0), without comparisons.
    @_transparent
    static func decimalCount(_ number: UInt32) -> Int {
        // `| 1` leaves the highest set bit alone and tells the optimizer the word is not zero (a bare bsr).
        let bitIndex = 31 &- (number | 1).leadingZeroBitCount
        let entry = digitCountsByBitIndex.withUnsafeBufferPointer { $0[bitIndex] }
        return Int(truncatingIfNeeded: (UInt64(number) &+ entry) &>> 32)
    }

    /// "00" ... "99" as little-endian byte pairs, so two digits are one 16-bit store. A literal, so it is static.
    private static let digitPairs: [UInt16] = [
        0x3030, 0x3130, 0x3230, 0x3330, 0x3430, 0x3530, 0x3630, 0x3730, 0x3830, 0x3930,
        0x3031, 0x3131, 0x3231, 0x3331, 0x3431, 0x3531, 0x3631, 0x3731, 0x3831, 0x3931,
        0x3032, 0x3132, 0x3232, 0x3332, 0x3432, 0x3532, 0x3632, 0x3732, 0x3832, 0x3932,
        0x3033, 0x3133, 0x3233, 0x3333, 0x3433, 0x3533, 0x3633, 0x3733, 0x3833, 0x3933,
        0x3034, 0x3134, 0x3234, 0x3334, 0x3434, 0x3534, 0x3634, 0x3734, 0x3834, 0x3934,
        0x3035, 0x3135, 0x3235, 0x3335, 0x3435, 0x3535, 0x3635, 0x3735, 0x3835, 0x3935,
        0x3036, 0x3136, 0x3236, 0x3336, 0x3436, 0x3536, 0x3636, 0x3736, 0x3836, 0x3936,
        0x3037, 0x3137, 0x3237, 0x3337, 0x3437, 0x3537, 0x3637, 0x3737, 0x3837, 0x3937,
        0x3038, 0x3138, 0x3238, 0x3338, 0x3438, 0x3538, 0x3638, 0x3738, 0x3838, 0x3938,
        0x3039, 0x3139, 0x3239, 0x3339, 0x3439, 0x3539, 0x3639, 0x3739, 0x3839, 0x3939,
    ]

    /// Writes `value` = significand * 10^exponent (0 < significand < 10^9; it may end in zeros) as plain decimal
    /// or scientific notation, whichever is shorter (plain on a tie); integers get no ".0" ("2", not "2.0").
    @_transparent
    static func format(significand: UInt32, exponent: Int, signLength: Int, to output: UnsafeMutablePointer<UInt8>) -> Int {
        let count = decimalCount(significand)
        // value = 0.d1 d2 ... d(count) * 10^pointPosition
        let pointPosition = count &+ exponent
        output[0] = UInt8(ascii: "-")
        let out = UnsafeMutableRawPointer(output + signLength)
        // The digits left-aligned to nine, d1 d2 ... d9 (zeros after the given ones): d1 as a byte, and
        // d2 ... d9 as eight bytes of one word in memory order.
        let aligned = significand &* powersOfTen.withUnsafeBufferPointer { $0[9 &- count] }
        let leading = aligned / 100_000_000
        let first = UInt8(truncatingIfNeeded: 48 &+ leading)
        let rest = asciiDigits8(aligned &- leading &* 100_000_000)
        // Trailing '0' bytes of `rest` are zeros of the significand or padding: either way not significant. The
        // digit values (rest − '0' in each byte) are below 2^7 per byte, so doubling them loses nothing and the low
        // bit set keeps the word nonzero: its highest set bit is the bit length of the digit values.
        // significant = 1 + ⌈bit length / 8⌉ = (bit length + 15) / 8, and bit length = 63 − leading zeros.
        let digitValues = rest & 0x0F0F_0F0F_0F0F_0F0F
        let significant = (78 &- (digitValues &<< 1 | 1).leadingZeroBitCount) &>> 3
        // The usual layout, plain notation with a point: 1 <= pointPosition < significant ("12.5"), or
        // pointPosition 0 or −1 ("0.125", "0.0125"). One unsigned comparison for the range.
        if UInt(bitPattern: pointPosition &+ 1) < UInt(bitPattern: significant &+ 1) {
            // Branch-free, as whether the value is below one varies from number to number: "0.000000" first, then
            // the digits (after "0." and the zeros below one, else from the start), then the point, and the digits
            // after it once more, a byte further on (below one: the same bytes again, in the same place). The
            // offsets come from a table: the optimizer turned selects between them into a mispredicted branch.
            let layout = fractionLayouts.withUnsafeBufferPointer { $0.baseAddress! + (pointPosition &+ 1) &* 5 }
            out.storeBytes(of: 0x3030_3030_3030_2E30 as UInt64, as: UInt64.self)  // "0.000000"
            let digitsStart = Int(layout[1])
            out.storeBytes(of: first, toByteOffset: digitsStart, as: UInt8.self)
            out.storeBytes(of: rest, toByteOffset: digitsStart &+ 1, as: UInt64.self)
            out.storeBytes(of: UInt8(ascii: "."), toByteOffset: Int(layout[0]), as: UInt8.self)
            out.storeBytes(of: rest &>> UInt64(layout[4]), toByteOffset: Int(layout[2]), as: UInt64.self)
            return Int(layout[3]) &+ significant &+ signLength
        }
        return writeOtherLayout(first: first, rest: rest, significant: significant, pointPosition: pointPosition, to: out)
            &+ signLength
    }

    /// For plain notation with a point, pointPosition p = −1 ... 8, five bytes each: the point's offset, where the
    /// digits start, where the digits after the point are stored again, the length before the significant digits,
    /// and the right shift (bits) of the last eight digits that leaves the ones after the point. Below one (p <= 0):
    /// "0." + −p zeros + digits; else p digits, '.', the rest.
    private static let fractionLayouts: [UInt8] = [
        1, 3, 4, 3, 0,  // p = −1: "0.0ddd"
        1, 2, 3, 2, 0,  // p = 0: "0.ddd"
        1, 0, 2, 1, 0,  // p = 1: "d.dd"
        2, 0, 3, 1, 8,
        3, 0, 4, 1, 16,
        4, 0, 5, 1, 24,
        5, 0, 6, 1, 32,
        6, 0, 7, 1, 40,
        7, 0, 8, 1, 48,
        8, 0, 9, 1, 56,  // p = 8: "dddddddd.d"
    ]

    /// The layouts other than `format`'s usual one, rare in tensors: small numbers ("0.00ddd"), integers ("100"),
    /// and scientific notation ("1.5e-7", "3e10"), whichever of plain and scientific is shorter (plain on a tie).
    /// `first` and `rest` are the nine left-aligned digits, as in `format`. Returns the length written.
    @inline(never)
    private static func writeOtherLayout(first: UInt8, rest: UInt64, significant: Int, pointPosition: Int,
                                         to out: UnsafeMutableRawPointer) -> Int {
        let scientificExponent = pointPosition &- 1
        let exponentMagnitude = scientificExponent < 0 ? -scientificExponent : scientificExponent
        let exponentDigits = exponentMagnitude >= 10 ? 2 : 1
        let minusLength: Int = scientificExponent < 0 ? 1 : 0
        let scientificLength = significant &+ (significant > 1 ? 1 : 0) &+ 1 &+ minusLength &+ exponentDigits
        if pointPosition <= 0 {
            let plainLength = 2 &- pointPosition &+ significant
            if plainLength <= scientificLength {
                // "0.000ddd": at most a few zeros after the point, or scientific would be shorter.
                out.storeBytes(of: 0x3030_3030_3030_2E30 as UInt64, as: UInt64.self)  // "0.000000"
                out.storeBytes(of: first, toByteOffset: 2 &- pointPosition, as: UInt8.self)
                out.storeBytes(of: rest, toByteOffset: 3 &- pointPosition, as: UInt64.self)
                return plainLength
            }
        } else if pointPosition <= scientificLength {
            // An integer (`format` took the values with digits after the point): the digits, then zeros (at most
            // 4, or scientific would be shorter).
            out.storeBytes(of: first, as: UInt8.self)
            out.storeBytes(of: rest, toByteOffset: 1, as: UInt64.self)
            out.storeBytes(of: 0x3030_3030_3030_3030 as UInt64, toByteOffset: significant, as: UInt64.self)
            return pointPosition
        }
        out.storeBytes(of: first, as: UInt8.self)
        var written = 1
        if significant > 1 {
            out.storeBytes(of: UInt8(ascii: "."), toByteOffset: 1, as: UInt8.self)
            out.storeBytes(of: rest, toByteOffset: 2, as: UInt64.self)
            written = significant &+ 1
        }
        out.storeBytes(of: UInt8(ascii: "e"), toByteOffset: written, as: UInt8.self)
        out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: written &+ 1, as: UInt8.self)
        written &+= 1 &+ minusLength
        if exponentDigits == 2 {
            out.storeBytes(of: digitPairs.withUnsafeBufferPointer { $0[exponentMagnitude] }, toByteOffset: written, as: UInt16.self)
        } else {
            out.storeBytes(of: UInt8(truncatingIfNeeded: 48 &+ exponentMagnitude), toByteOffset: written, as: UInt8.self)
        }
        return written &+ exponentDigits
    }

    /// `value` (< 10^8) as eight ASCII digits, zero-padded, the first digit in the lowest byte (so a little-endian
    /// store writes them in reading order), by SIMD-within-a-register division: 4 + 4 digits in two 32-bit lanes,
    /// 2 + 2 in four 16-bit lanes, 1 + 1 in eight bytes. n / 100 = n * 5243 >> 19 for n < 10^4 and
    /// n / 10 = n * 103 >> 10 for n < 100; no lane's product reaches the next lane.
    @inline(__always)
    private static func asciiDigits8(_ value: UInt32) -> UInt64 {
        let upper = value / 10_000
        let lower = value &- upper &* 10_000
        let fours = UInt64(upper) | UInt64(lower) &<< 32
        // Each lane's quotient stays in place and its remainder moves to the next lane up in one multiply-add:
        // (fours << 16) − q·100·2^16 + q = q + (fours − 100·q) << 16.
        let hundreds = (fours &* 5243) &>> 19 & 0x0000_007F_0000_007F
        let pairs = fours &<< 16 &+ hundreds &* (1 &- 100 &<< 16)
        let tens = (pairs &* 103) &>> 10 & 0x000F_000F_000F_000F
        let digits = pairs &<< 8 &+ tens &* (1 &- 10 &<< 8)
        return digits | 0x3030_3030_3030_3030
    }
}
