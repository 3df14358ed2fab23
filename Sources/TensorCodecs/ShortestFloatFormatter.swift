/// Writes a float32 as the shortest decimal that reads back (float32, round to nearest even) as the same Float;
/// among equally short candidates the one closest to the exact value, ties to an even last digit, as
/// Float.description chooses.
///
/// The digits come from `ShortestDecimal` (Schubfach) and `DecimalDigits`, and the usual layout from a table, so
/// that normal and rotated tensor values take no data-dependent branch: this is the inner loop of writing a JSON
/// tensor. tools/float-format-check compares the bytes for all 2^32 bit patterns with those of another revision
/// after a change.
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
        return format(significand: decimal.significand, exponent: decimal.exponent, signLength: Int(bits &>> 31),
                      to: out)
    }

    /// `write` for zeros, powers of two, subnormals, NaN and the infinities: rare in tensors, so out of line.
    @inline(never)
    private static func writeUncommon(bits: UInt32, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let biasedExponent = Int(bits &>> 23 & 0xFF)
        let fraction = bits & 0x7F_FFFF
        if biasedExponent == 0xFF {
            out[0] = UInt8(ascii: "n"); out[1] = UInt8(ascii: "u")
            out[2] = UInt8(ascii: "l"); out[3] = UInt8(ascii: "l")
            return 4
        }
        if bits & 0x7FFF_FFFF == 0 {
            // "-0.0" rather than "-0": Python's json reads "-0" as the integer 0 and loses the sign.
            if bits != 0 {
                out[0] = UInt8(ascii: "-"); out[1] = UInt8(ascii: "0")
                out[2] = UInt8(ascii: "."); out[3] = UInt8(ascii: "0")
                return 4
            }
            out[0] = UInt8(ascii: "0")
            return 1
        }
        let decimal = ShortestDecimal(powerOfTwoOrSubnormalWithBiasedExponent: biasedExponent, fraction: fraction)
        return format(significand: decimal.significand, exponent: decimal.exponent, signLength: Int(bits &>> 31),
                      to: out)
    }

    /// Writes `value` = significand * 10^exponent (0 < significand < 10^9; it may end in zeros) as plain decimal
    /// or scientific notation, whichever is shorter (plain on a tie); integers get no ".0" ("2", not "2.0").
    @_transparent
    static func format(significand: UInt32, exponent: Int, signLength: Int,
                       to output: UnsafeMutablePointer<UInt8>) -> Int {
        let count = DecimalDigits.count(significand)
        // value = 0.d1 d2 ... d(count) * 10^pointPosition
        let pointPosition = count &+ exponent
        output[0] = UInt8(ascii: "-")
        let out = UnsafeMutableRawPointer(output + signLength)
        // The digits left-aligned to nine, d1 d2 ... d9 (zeros after the given ones): d1 as a byte, and
        // d2 ... d9 as eight bytes of one word in memory order.
        let (leading, rest) = DecimalDigits.asciiNine(DecimalDigits.leftAlignedToNine(significand, count: count))
        let first = UInt8(truncatingIfNeeded: 48 &+ leading)
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
            let layout = fractionLayouts.withUnsafeBufferPointer { $0.baseAddress! + (pointPosition &+ 1) &* 8 }
            out.storeBytes(of: 0x3030_3030_3030_2E30 as UInt64, as: UInt64.self)  // "0.000000"
            let digitsStart = Int(layout[1])
            out.storeBytes(of: first, toByteOffset: digitsStart, as: UInt8.self)
            out.storeBytes(of: rest, toByteOffset: digitsStart &+ 1, as: UInt64.self)
            out.storeBytes(of: UInt8(ascii: "."), toByteOffset: Int(layout[0]), as: UInt8.self)
            out.storeBytes(of: rest &>> UInt64(layout[4]), toByteOffset: Int(layout[2]), as: UInt64.self)
            return Int(layout[3]) &+ significant &+ signLength
        }
        return writeOtherLayout(first: first, rest: rest, significant: significant, pointPosition: pointPosition,
                                to: out)
            &+ signLength
    }

    /// For plain notation with a point, pointPosition p = −1 ... 8, a row of eight bytes (five used, eight so the
    /// row's address is a scaled index): the point's offset, where the digits start, where the digits after the
    /// point are stored again, the length before the significant digits, and the right shift (bits) of the last
    /// eight digits that leaves the ones after the point. Below one (p <= 0): "0." + −p zeros + digits; else
    /// p digits, '.', the rest.
    private static let fractionLayouts: [UInt8] = [
        1, 3, 4, 3, 0, 0, 0, 0,  // p = −1: "0.0ddd"
        1, 2, 3, 2, 0, 0, 0, 0,  // p = 0: "0.ddd"
        1, 0, 2, 1, 0, 0, 0, 0,  // p = 1: "d.dd"
        2, 0, 3, 1, 8, 0, 0, 0,
        3, 0, 4, 1, 16, 0, 0, 0,
        4, 0, 5, 1, 24, 0, 0, 0,
        5, 0, 6, 1, 32, 0, 0, 0,
        6, 0, 7, 1, 40, 0, 0, 0,
        7, 0, 8, 1, 48, 0, 0, 0,
        8, 0, 9, 1, 56, 0, 0, 0,  // p = 8: "dddddddd.d"
    ]

    /// "e-45" ... "e38" for scientific exponents −45 ... 38 (all a Float needs), little-endian in the low 32 bits,
    /// and the text's length above them.
    private static let exponentSuffixes: [UInt64] = [
        0x4_3534_2D65, 0x4_3434_2D65, 0x4_3334_2D65, 0x4_3234_2D65, 0x4_3134_2D65, 0x4_3034_2D65,  // e-45 ...
        0x4_3933_2D65, 0x4_3833_2D65, 0x4_3733_2D65, 0x4_3633_2D65, 0x4_3533_2D65, 0x4_3433_2D65,  // e-39 ...
        0x4_3333_2D65, 0x4_3233_2D65, 0x4_3133_2D65, 0x4_3033_2D65, 0x4_3932_2D65, 0x4_3832_2D65,  // e-33 ...
        0x4_3732_2D65, 0x4_3632_2D65, 0x4_3532_2D65, 0x4_3432_2D65, 0x4_3332_2D65, 0x4_3232_2D65,  // e-27 ...
        0x4_3132_2D65, 0x4_3032_2D65, 0x4_3931_2D65, 0x4_3831_2D65, 0x4_3731_2D65, 0x4_3631_2D65,  // e-21 ...
        0x4_3531_2D65, 0x4_3431_2D65, 0x4_3331_2D65, 0x4_3231_2D65, 0x4_3131_2D65, 0x4_3031_2D65,  // e-15 ...
        0x3_0039_2D65, 0x3_0038_2D65, 0x3_0037_2D65, 0x3_0036_2D65, 0x3_0035_2D65, 0x3_0034_2D65,  // e-9 ...
        0x3_0033_2D65, 0x3_0032_2D65, 0x3_0031_2D65, 0x2_0000_3065, 0x2_0000_3165, 0x2_0000_3265,  // e-3 ...
        0x2_0000_3365, 0x2_0000_3465, 0x2_0000_3565, 0x2_0000_3665, 0x2_0000_3765, 0x2_0000_3865,  // e3 ...
        0x2_0000_3965, 0x3_0030_3165, 0x3_0031_3165, 0x3_0032_3165, 0x3_0033_3165, 0x3_0034_3165,  // e9 ...
        0x3_0035_3165, 0x3_0036_3165, 0x3_0037_3165, 0x3_0038_3165, 0x3_0039_3165, 0x3_0030_3265,  // e15 ...
        0x3_0031_3265, 0x3_0032_3265, 0x3_0033_3265, 0x3_0034_3265, 0x3_0035_3265, 0x3_0036_3265,  // e21 ...
        0x3_0037_3265, 0x3_0038_3265, 0x3_0039_3265, 0x3_0030_3365, 0x3_0031_3365, 0x3_0032_3365,  // e27 ...
        0x3_0033_3365, 0x3_0034_3365, 0x3_0035_3365, 0x3_0036_3365, 0x3_0037_3365, 0x3_0038_3365,  // e33 ...
    ]

    /// The layouts other than `format`'s usual one: numbers from 0.001 to 0.01 ("0.00125", but "5e-3" for a
    /// single digit), integers ("100", "123000") while no longer than scientific notation, else scientific
    /// ("1.5e-7", "3e10"). `first` and `rest` are the nine left-aligned digits, as in `format`. Returns the length
    /// written. Out of line: rare in tensors of activations; common in softmax outputs (probabilities below 0.01).
    @inline(never)
    private static func writeOtherLayout(first: UInt8, rest: UInt64, significant: Int, pointPosition: Int,
                                         to out: UnsafeMutableRawPointer) -> Int {
        let suffix = exponentSuffixes.withUnsafeBufferPointer { $0[pointPosition &- 1 &+ 45] }
        // The digits, then the point when more than one digit follows.
        let mantissaLength = significant &+ (significant > 1 ? 1 : 0)
        let scientificLength = mantissaLength &+ Int(truncatingIfNeeded: suffix &>> 32)
        if pointPosition == -2 && significant > 1 {
            out.storeBytes(of: 0x3030_3030_3030_2E30 as UInt64, as: UInt64.self)  // "0.000000"
            out.storeBytes(of: first, toByteOffset: 4, as: UInt8.self)
            out.storeBytes(of: rest, toByteOffset: 5, as: UInt64.self)
            return 4 &+ significant
        }
        out.storeBytes(of: first, as: UInt8.self)
        if pointPosition >= significant && pointPosition <= scientificLength {
            // An integer: the digits, then zeros (at most 4, or scientific would be shorter).
            out.storeBytes(of: rest, toByteOffset: 1, as: UInt64.self)
            out.storeBytes(of: 0x3030_3030_3030_3030 as UInt64, toByteOffset: significant, as: UInt64.self)
            return pointPosition
        }
        // For one digit the suffix overwrites the point.
        out.storeBytes(of: UInt8(ascii: "."), toByteOffset: 1, as: UInt8.self)
        out.storeBytes(of: rest, toByteOffset: 2, as: UInt64.self)
        out.storeBytes(of: UInt32(truncatingIfNeeded: suffix), toByteOffset: mantissaLength, as: UInt32.self)
        return scientificLength
    }
}
