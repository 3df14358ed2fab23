/// Writes a float32 as the shortest decimal that reads back (float32, round to nearest even) as the same Float;
/// among equally short candidates the one closest to the exact value, as Float.description chooses.
///
/// The digits come from Ryū's f2s (Ulf Adams, "Ryū: fast float-to-string conversion", PLDI 2018,
/// https://doi.org/10.1145/3192366.3192369; reference code `ryu/f2s.c` at https://github.com/ulfjack/ryu), in
/// integer arithmetic only: the value and the ends of its rounding interval, as 4·m·2^e, are scaled by a 64-bit
/// approximation of 5^-q or 5^q (`inversePowersOfFive`, `powersOfFive`) into decimal integers vm < vr < vp, from
/// which digits are dropped while the interval still holds a shorter number; the last kept digit is rounded to
/// nearest (ties to even when the exact value is a tie). For every finite float32 the output is byte for byte
/// that of the previous Double-based formatter, which fell back to Float.description (checked exhaustively).
enum ShortestFloatFormatter {
    /// The longest output: sign, 9 digits, point, 'e', '-', two exponent digits.
    static let maxLength = 16

    /// ⌊2^(pow5bits(q) − 1 + 59) / 5^q⌋ + 1 for q = 0 ..< 32: Ryū's `FLOAT_POW5_INV_SPLIT` (59 is its
    /// `FLOAT_POW5_INV_BITCOUNT`), for binary exponents ≥ 0. A literal, so the optimizer places it in static memory
    /// and the hot path pays no lazy-initialisation check.
    private static let inversePowersOfFive: [UInt64] = [
        0x0800000000000001, 0x0666666666666667, 0x051EB851EB851EB9,
        0x04189374BC6A7EFA, 0x068DB8BAC710CB2A, 0x053E2D6238DA3C22,
        0x0431BDE82D7B634E, 0x06B5FCA6AF2BD216, 0x055E63B88C230E78,
        0x044B82FA09B5A52D, 0x06DF37F675EF6EAE, 0x057F5FF85E592558,
        0x0465E6604B7A8447, 0x0709709A125DA071, 0x05A126E1A84AE6C1,
        0x0480EBE7B9D58567, 0x0734ACA5F6226F0B, 0x05C3BD5191B525A3,
        0x049C97747490EAE9, 0x0760F253EDB4AB0E, 0x05E72843249088D8,
        0x04B8ED0283A6D3E0, 0x078E480405D7B966, 0x060B6CD004AC9452,
        0x04D5F0A66A23A9DB, 0x07BCB43D769F762B, 0x063090312BB2C4EF,
        0x04F3A68DBC8F03F3, 0x07EC3DAF94180651, 0x065697BFA9ACD1DA,
        0x051212FFBAF0A7E2, 0x040E7599625A1FE8,
    ]

    /// ⌊5^i / 2^(pow5bits(i) − 61)⌋ for i = 0 ..< 48: Ryū's `FLOAT_POW5_SPLIT` (61 is its `FLOAT_POW5_BITCOUNT`),
    /// for binary exponents < 0. A literal, like `inversePowersOfFive`.
    private static let powersOfFive: [UInt64] = [
        0x1000000000000000, 0x1400000000000000, 0x1900000000000000,
        0x1F40000000000000, 0x1388000000000000, 0x186A000000000000,
        0x1E84800000000000, 0x1312D00000000000, 0x17D7840000000000,
        0x1DCD650000000000, 0x12A05F2000000000, 0x174876E800000000,
        0x1D1A94A200000000, 0x12309CE540000000, 0x16BCC41E90000000,
        0x1C6BF52634000000, 0x11C37937E0800000, 0x16345785D8A00000,
        0x1BC16D674EC80000, 0x1158E460913D0000, 0x15AF1D78B58C4000,
        0x1B1AE4D6E2EF5000, 0x10F0CF064DD59200, 0x152D02C7E14AF680,
        0x1A784379D99DB420, 0x108B2A2C28029094, 0x14ADF4B7320334B9,
        0x19D971E4FE8401E7, 0x1027E72F1F128130, 0x1431E0FAE6D7217C,
        0x193E5939A08CE9DB, 0x1F8DEF8808B02452, 0x13B8B5B5056E16B3,
        0x18A6E32246C99C60, 0x1ED09BEAD87C0378, 0x13426172C74D822B,
        0x1812F9CF7920E2B6, 0x1E17B84357691B64, 0x12CED32A16A1B11E,
        0x178287F49C4A1D66, 0x1D6329F1C35CA4BF, 0x125DFA371A19E6F7,
        0x16F578C4E0A060B5, 0x1CB2D6F618C878E3, 0x11EFC659CF7D4B8D,
        0x166BB7F0435C9E71, 0x1C06A5EC5433C60D, 0x118427B3B4A05BC8,
    ]

    /// Writes finite `value` at `out` and returns the number of bytes written (at most `maxLength`); the caller
    /// must have room for `maxLength + scratchSlack` bytes at `out`.
    @inline(__always)
    static func write(_ value: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let bits = value.bitPattern
        let isNegative = bits >> 31 != 0
        let biasedExponent = Int(bits >> 23 & 0xFF)
        let fraction = bits & 0x7F_FFFF
        if biasedExponent == 0 && fraction == 0 {
            // "-0.0" rather than "-0": Python's json reads "-0" as the integer 0 and loses the sign.
            if isNegative {
                out[0] = UInt8(ascii: "-"); out[1] = UInt8(ascii: "0"); out[2] = UInt8(ascii: "."); out[3] = UInt8(ascii: "0")
                return 4
            }
            out[0] = UInt8(ascii: "0")
            return 1
        }
        let (digits, exponent) = shortestDigits(biasedExponent: biasedExponent, fraction: fraction)
        return format(digits: digits, exponent: exponent, isNegative: isNegative, to: out)
    }

    /// ⌈log2 5^e⌉ (1 for e = 0), exact for 0 <= e <= 3528.
    @inline(__always)
    private static func pow5Bits(_ e: Int) -> Int { ((e &* 1_217_359) &>> 19) &+ 1 }

    /// ⌊log10 2^e⌋, exact for 0 <= e <= 1650.
    @inline(__always)
    private static func log10Pow2(_ e: Int) -> Int { (e &* 78_913) &>> 18 }

    /// ⌊log10 5^e⌋, exact for 0 <= e <= 2620.
    @inline(__always)
    private static func log10Pow5(_ e: Int) -> Int { (e &* 732_923) &>> 20 }

    /// Whether 5^p divides `value` (> 0).
    @inline(__always)
    private static func isMultipleOfPowerOfFive(_ value: UInt32, _ p: Int) -> Bool {
        var value = value
        var count = 0
        while value % 5 == 0 {
            value /= 5
            count &+= 1
        }
        return count >= p
    }

    /// ⌊m · factor / 2^shift⌋ for 32 <= shift < 96, its low 32 bits (Ryū's `mulShift32`).
    @inline(__always)
    private static func mulShift(_ m: UInt32, _ factor: UInt64, _ shift: Int) -> UInt32 {
        let low = UInt64(m) &* (factor & 0xFFFF_FFFF)
        let high = UInt64(m) &* (factor &>> 32)
        let sum = (low &>> 32) &+ high
        return UInt32(truncatingIfNeeded: sum &>> UInt64(truncatingIfNeeded: shift &- 32))
    }

    /// The shortest digits (no trailing zeros) and the decimal exponent of the last one, value = digits · 10^exponent,
    /// of a nonzero finite float given by its biased exponent and fraction bits (Ryū's `f2d`).
    @_transparent
    private static func shortestDigits(biasedExponent: Int, fraction: UInt32) -> (UInt32, Int) {
        let e2: Int
        let m2: UInt32
        if biasedExponent == 0 {
            e2 = 1 - 127 - 23 - 2
            m2 = fraction
        } else {
            e2 = biasedExponent &- (127 + 23 + 2)
            m2 = fraction | 0x80_0000
        }
        // Round-to-nearest-even parsing reads the interval's ends back as v when v's significand is even.
        let acceptBounds = m2 & 1 == 0
        let mv = 4 &* m2
        let mp = mv &+ 2
        // Just above a power of two the neighbour below is twice as close, so the interval is lopsided.
        let mmShift: UInt32 = fraction != 0 || biasedExponent <= 1 ? 1 : 0
        let mm = mv &- 1 &- mmShift

        var vr: UInt32, vp: UInt32, vm: UInt32
        let e10: Int
        var vmIsTrailingZeros = false
        var vrIsTrailingZeros = false
        var lastRemovedDigit: UInt32 = 0
        if e2 >= 0 {
            let q = log10Pow2(e2)
            e10 = q
            let k = 59 &+ pow5Bits(q) &- 1
            let i = q &- e2 &+ k
            let factor = inversePowersOfFive[q]
            vr = mulShift(mv, factor, i)
            vp = mulShift(mp, factor, i)
            vm = mulShift(mm, factor, i)
            if q != 0 && (vp &- 1) / 10 <= vm / 10 {
                // The loop below may not run, yet rounding needs the first dropped digit.
                let l = 59 &+ pow5Bits(q &- 1) &- 1
                lastRemovedDigit = mulShift(mv, inversePowersOfFive[q &- 1], q &- 1 &- e2 &+ l) % 10
            }
            if q <= 9 {
                // Only one of mp, mv and mm can be a multiple of 5, if any.
                if mv % 5 == 0 {
                    vrIsTrailingZeros = isMultipleOfPowerOfFive(mv, q)
                } else if acceptBounds {
                    vmIsTrailingZeros = isMultipleOfPowerOfFive(mm, q)
                } else if isMultipleOfPowerOfFive(mp, q) {
                    vp &-= 1
                }
            }
        } else {
            let q = log10Pow5(-e2)
            e10 = q &+ e2
            let i = -e2 &- q
            let k = pow5Bits(i) &- 61
            let j = q &- k
            let factor = powersOfFive[i]
            vr = mulShift(mv, factor, j)
            vp = mulShift(mp, factor, j)
            vm = mulShift(mm, factor, j)
            if q != 0 && (vp &- 1) / 10 <= vm / 10 {
                let j1 = q &- 1 &- (pow5Bits(i &+ 1) &- 61)
                lastRemovedDigit = mulShift(mv, powersOfFive[i &+ 1], j1) % 10
            }
            if q <= 1 {
                // mv = 4·m2 has at least two trailing zero bits, mp = mv + 2 has one, and mm = mv − 1 − mmShift
                // has one exactly when mmShift is 1.
                vrIsTrailingZeros = true
                if acceptBounds {
                    vmIsTrailingZeros = mmShift == 1
                } else {
                    vp &-= 1
                }
            } else if q < 31 {
                vrIsTrailingZeros = mv & ((UInt32(1) &<< UInt32(truncatingIfNeeded: q &- 1)) &- 1) == 0
            }
        }

        var removed = 0
        let output: UInt32
        if vmIsTrailingZeros || vrIsTrailingZeros {
            // Rare (a few percent): the exact value or the lower end may be a short decimal itself.
            while vp / 10 > vm / 10 {
                vmIsTrailingZeros = vmIsTrailingZeros && vm % 10 == 0
                vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
                lastRemovedDigit = vr % 10
                vr /= 10
                vp /= 10
                vm /= 10
                removed &+= 1
            }
            if vmIsTrailingZeros {
                while vm % 10 == 0 {
                    vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
                    lastRemovedDigit = vr % 10
                    vr /= 10
                    vp /= 10
                    vm /= 10
                    removed &+= 1
                }
            }
            if vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0 {
                // The exact value is ...50...0: round to even.
                lastRemovedDigit = 4
            }
            let roundUp = (vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5
            output = vr &+ (roundUp ? 1 : 0)
        } else {
            while vp / 10 > vm / 10 {
                lastRemovedDigit = vr % 10
                vr /= 10
                vp /= 10
                vm /= 10
                removed &+= 1
            }
            output = vr &+ (vr == vm || lastRemovedDigit >= 5 ? 1 : 0)
        }
        return (output, e10 &+ removed)
    }

    /// The number of decimal digits of `number` (at least 1), without a data-dependent loop.
    @_transparent
    static func decimalCount(_ number: UInt32) -> Int {
        var count = 1
        count &+= number >= 10 ? 1 : 0
        count &+= number >= 100 ? 1 : 0
        count &+= number >= 1_000 ? 1 : 0
        count &+= number >= 10_000 ? 1 : 0
        count &+= number >= 100_000 ? 1 : 0
        count &+= number >= 1_000_000 ? 1 : 0
        count &+= number >= 10_000_000 ? 1 : 0
        count &+= number >= 100_000_000 ? 1 : 0
        count &+= number >= 1_000_000_000 ? 1 : 0
        return count
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

    /// Bytes past the returned length that `write` may scribble on (it stores digits in fixed 8-byte blocks);
    /// callers reserve `maxLength + scratchSlack` and the next write overwrites them.
    static let scratchSlack = 16

    /// 10^0 ... 10^8, to left-align the significant digits.
    private static let powersOfTen: [UInt32] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
    ]

    /// Writes `value` = digits * 10^exponent (0 < digits < 10^9, no trailing zeros) as plain decimal or scientific
    /// notation, whichever is shorter (plain on a tie); integers get no ".0" ("2", not "2.0"). The digits are
    /// built in registers and stored in fixed-size blocks: no loops of data-dependent length, and no byte-wise
    /// stores reloaded as a word, which would stall store-to-load forwarding. `@_transparent` here, on
    /// `shortestDigits` and on `decimalCount`: the optimizer left one of them out of line in the tensor loop despite
    /// `@inline(__always)`, and that call per number cost ~2% of JSON write time.
    @_transparent
    static func format(digits: UInt32, exponent: Int, isNegative: Bool, to output: UnsafeMutablePointer<UInt8>) -> Int {
        let count = decimalCount(digits)
        // value = 0.digits * 10^pointPosition
        let pointPosition = count &+ exponent
        let scientificExponent = pointPosition &- 1
        let exponentMagnitude = scientificExponent < 0 ? -scientificExponent : scientificExponent
        let exponentDigits = exponentMagnitude >= 10 ? 2 : 1
        let pointLength: Int = count > 1 ? 1 : 0
        let minusLength: Int = scientificExponent < 0 ? 1 : 0
        let scientificLength: Int = count &+ pointLength &+ 1 &+ minusLength &+ exponentDigits
        let plainLength: Int
        if pointPosition <= 0 {
            plainLength = 2 &- pointPosition &+ count
        } else {
            plainLength = pointPosition < count ? count &+ 1 : pointPosition
        }
        output[0] = UInt8(ascii: "-")
        let out = UnsafeMutableRawPointer(output + (isNegative ? 1 : 0))
        // The digits left-aligned to nine, d1 d2 ... d9 (zeros after the significant ones): d1 as a byte, and
        // d2 ... d9 as eight bytes of one word in memory order.
        let aligned = digits &* powersOfTen[9 &- count]
        let leading = aligned / 100_000_000
        let first = UInt8(truncatingIfNeeded: 48 &+ leading)
        let rest = asciiDigits8(aligned &- leading &* 100_000_000)
        var written: Int
        if plainLength <= scientificLength {
            if pointPosition <= 0 {
                // "0.000ddd": at most 4 zeros after the point, or scientific would be shorter.
                out.storeBytes(of: 0x3030_3030_3030_2E30, as: UInt64.self)  // "0.000000"
                written = 2 &- pointPosition
                out.storeBytes(of: first, toByteOffset: written, as: UInt8.self)
                out.storeBytes(of: rest, toByteOffset: written &+ 1, as: UInt64.self)
                written &+= count
            } else if pointPosition < count {
                // d1 ... d(pointPosition) '.' d(pointPosition+1) ...: the digits after the point are `rest`
                // without its first pointPosition - 1 bytes (at most 7, as pointPosition < count <= 9).
                out.storeBytes(of: first, as: UInt8.self)
                out.storeBytes(of: rest, toByteOffset: 1, as: UInt64.self)
                out.storeBytes(of: UInt8(ascii: "."), toByteOffset: pointPosition, as: UInt8.self)
                let shift = UInt64(truncatingIfNeeded: (pointPosition &- 1) &* 8)
                out.storeBytes(of: rest &>> shift, toByteOffset: pointPosition &+ 1, as: UInt64.self)
                written = count &+ 1
            } else {
                out.storeBytes(of: first, as: UInt8.self)
                out.storeBytes(of: rest, toByteOffset: 1, as: UInt64.self)
                // At most 4 zeros follow, or scientific would be shorter.
                out.storeBytes(of: 0x3030_3030_3030_3030 as UInt64, toByteOffset: count, as: UInt64.self)
                written = pointPosition
            }
        } else {
            out.storeBytes(of: first, as: UInt8.self)
            written = 1
            if count > 1 {
                out.storeBytes(of: UInt8(ascii: "."), toByteOffset: 1, as: UInt8.self)
                out.storeBytes(of: rest, toByteOffset: 2, as: UInt64.self)
                written = count &+ 1
            }
            out.storeBytes(of: UInt8(ascii: "e"), toByteOffset: written, as: UInt8.self)
            out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: written &+ 1, as: UInt8.self)
            written &+= 1 &+ minusLength
            if exponentDigits == 2 {
                out.storeBytes(of: digitPairs[exponentMagnitude], toByteOffset: written, as: UInt16.self)
            } else {
                out.storeBytes(of: UInt8(truncatingIfNeeded: 48 &+ exponentMagnitude), toByteOffset: written, as: UInt8.self)
            }
            written &+= exponentDigits
        }
        return written &+ (isNegative ? 1 : 0)
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
        let hundreds = (fours &* 5243) &>> 19 & 0x0000_007F_0000_007F
        let pairs = hundreds | (fours &- hundreds &* 100) &<< 16
        let tens = (pairs &* 103) &>> 10 & 0x000F_000F_000F_000F
        let ones = pairs &- tens &* 10
        return (tens | ones &<< 8) | 0x3030_3030_3030_3030
    }
}
