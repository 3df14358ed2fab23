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

    /// Writes `value` = significand * 10^exponent (0 < significand < 10^9; it may end in zeros) as plain decimal
    /// or scientific notation, whichever is shorter (plain on a tie); integers get no ".0" ("2", not "2.0").
    @_transparent
    static func format(significand: UInt32, exponent: Int, signLength: Int, to output: UnsafeMutablePointer<UInt8>) -> Int {
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
        return writeOtherLayout(first: first, rest: rest, significant: significant, pointPosition: pointPosition, to: out)
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
            out.storeBytes(of: DecimalDigits.pairs.withUnsafeBufferPointer { $0[exponentMagnitude] }, toByteOffset: written, as: UInt16.self)
        } else {
            out.storeBytes(of: UInt8(truncatingIfNeeded: 48 &+ exponentMagnitude), toByteOffset: written, as: UInt8.self)
        }
        return written &+ exponentDigits
    }
}
