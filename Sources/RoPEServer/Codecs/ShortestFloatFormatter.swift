/// Writes a float32 as the shortest decimal that reads back (float32, round to nearest even) as the same Float;
/// among equally short candidates the one closest to the exact value, as Float.description chooses.
///
/// Method: the rounding interval of v (halfway to its neighbours) is scaled by 10^(8-k), k = floor(log10 2^e) for
/// v in [2^e, 2^(e+1)), so it becomes a range of reals around S in [1e8, 2e9). Every Double there is within 7e-7
/// of the exact value (three roundings of 2^-53 on numbers below 2e9), while the range is at least ~4 wide.
/// The shortest decimal is the multiple of the largest power 10^j inside the range, closest to S. When a range
/// end or a tie lies within 4e-6 of an integer, the Double arithmetic cannot decide, and Float.description
/// (exact, slower) supplies the digits instead; that happens for about one float in 10^5.
enum ShortestFloatFormatter {
    /// The longest output: sign, 9 digits, point, 'e', '-', two exponent digits.
    static let maxLength = 16

    /// Powers of ten 10^-32 ... 10^56, each correctly rounded. A literal, so the optimizer places it in static
    /// memory and the hot loop pays no lazy-initialisation check.
    private static let powersOfTen: [Double] = [
        1e-32, 1e-31, 1e-30, 1e-29, 1e-28, 1e-27,
        1e-26, 1e-25, 1e-24, 1e-23, 1e-22, 1e-21,
        1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15,
        1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-09,
        1e-08, 1e-07, 1e-06, 1e-05, 0.0001, 0.001,
        0.01, 0.1, 1.0, 10.0, 100.0, 1000.0,
        10000.0, 100000.0, 1000000.0, 10000000.0, 100000000.0, 1000000000.0,
        10000000000.0, 100000000000.0, 1000000000000.0, 10000000000000.0, 100000000000000.0, 1000000000000000.0,
        1e+16, 1e+17, 1e+18, 1e+19, 1e+20, 1e+21,
        1e+22, 1e+23, 1e+24, 1e+25, 1e+26, 1e+27,
        1e+28, 1e+29, 1e+30, 1e+31, 1e+32, 1e+33,
        1e+34, 1e+35, 1e+36, 1e+37, 1e+38, 1e+39,
        1e+40, 1e+41, 1e+42, 1e+43, 1e+44, 1e+45,
        1e+46, 1e+47, 1e+48, 1e+49, 1e+50, 1e+51,
        1e+52, 1e+53, 1e+54, 1e+55, 1e+56,
    ]

    /// 10^0 ... 10^10 as integers.
    private static let integerPowersOfTen: [Int] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
    ]

    /// The margin, in units of the scaled value, inside which Double rounding could mislead.
    private static let margin = 4e-6

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
        if let (digits, pointPosition) = shortestDigits(biasedExponent: biasedExponent, fraction: fraction) {
            return format(digits: digits, pointPosition: pointPosition, isNegative: isNegative, to: out)
        }
        let (digits, pointPosition) = digitsFromDescription(value)
        return format(digits: digits, pointPosition: pointPosition, isNegative: isNegative, to: out)
    }

    /// The shortest digits and the point position (value = 0.digits * 10^pointPosition), or nil when undecidable
    /// in Double arithmetic.
    @inline(__always)
    private static func shortestDigits(biasedExponent: Int, fraction: UInt32) -> (UInt64, Int)? {
        let significand: UInt64
        let binaryExponent: Int
        if biasedExponent == 0 {
            significand = UInt64(fraction)
            binaryExponent = -149
        } else {
            significand = UInt64(fraction | 0x80_0000)
            binaryExponent = biasedExponent - 150
        }
        // All exact in Double: small integers times powers of two.
        let quarterUnit = Double(bitPattern: UInt64(binaryExponent - 2 + 1023) << 52)
        let value = Double(significand) * (quarterUnit * 4)
        // Just above a power of two the neighbour below is twice as close, so the interval is lopsided.
        let lowerGapIsHalved = fraction == 0 && biasedExponent > 1
        let low = Double(4 * significand - (lowerGapIsHalved ? 1 : 2)) * quarterUnit
        let high = Double(4 * significand + 2) * quarterUnit

        // Double.exponent is an out-of-line call; the field is right there in the bits (value is a normal Double).
        let binaryMagnitude = Int(value.bitPattern >> 52) - 1023
        // floor(log10 2^binaryMagnitude) by the usual fixed-point constant (exact for |exponent| < 1650), so
        // 10^decimalExponent <= value < 2 * 10^(decimalExponent+1) and the scaled value lies in [1e8, 2e9).
        let decimalExponent = (binaryMagnitude * 78913) >> 18
        let scale = powersOfTen[8 - decimalExponent + 32]
        let scaled = value * scale
        let scaledLow = low * scale
        let scaledHigh = high * scale
        // Everything is positive and below 2^31, so truncation is floor (one instruction, unlike rounded(.down)
        // which baseline x86-64 has no instruction for).
        let lowFloor = Int(scaledLow)
        let highFloor = Int(scaledHigh)
        let lowFraction = scaledLow - Double(lowFloor)
        let highFraction = scaledHigh - Double(highFloor)
        guard lowFraction > margin && lowFraction < 1 - margin && highFraction > margin && highFraction < 1 - margin else {
            return nil
        }
        let lowest = lowFloor + 1
        let highest = highFloor
        guard lowest <= highest else { return nil }
        // The interval is 4 to 240 units wide for normal floats, so at most 10^3 fits in it: test 10, 100 and
        // 1000 side by side (no dependent loop, no unpredictable branch) and loop only beyond that (subnormals).
        let lowest1 = (lowest + 9) / 10, highest1 = highest / 10
        let lowest2 = (lowest + 99) / 100, highest2 = highest / 100
        let lowest3 = (lowest + 999) / 1000, highest3 = highest / 1000
        var trailingZeros = (lowest1 <= highest1 ? 1 : 0) + (lowest2 <= highest2 ? 1 : 0) + (lowest3 <= highest3 ? 1 : 0)
        var lowestAtZeros = trailingZeros == 0 ? lowest : (trailingZeros == 1 ? lowest1 : (trailingZeros == 2 ? lowest2 : lowest3))
        var highestAtZeros = trailingZeros == 0 ? highest : (trailingZeros == 1 ? highest1 : (trailingZeros == 2 ? highest2 : highest3))
        if trailingZeros == 3 {
            while true {
                let nextLowest = (lowestAtZeros + 9) / 10
                let nextHighest = highestAtZeros / 10
                if nextLowest > nextHighest { break }
                lowestAtZeros = nextLowest
                highestAtZeros = nextHighest
                trailingZeros += 1
            }
        }
        // Multiplying by the inexact 10^-j adds one more rounding, still far inside the margin.
        let target = scaled * powersOfTen[32 - trailingZeros]
        let targetFloor = Int(target)
        let targetFraction = target - Double(targetFloor)
        guard targetFraction > 0.5 + margin || targetFraction < 0.5 - margin else { return nil }
        let nearest = targetFloor + (targetFraction > 0.5 ? 1 : 0)
        let digits = min(max(nearest, lowestAtZeros), highestAtZeros)
        // digits * 10^j lies in the scaled interval around [1e8, 2e9): 9 or 10 digits, or 8 just below 1e8.
        let scaledDigits = digits &* integerPowersOfTen[trailingZeros]
        let fullLength = 8 + (scaledDigits >= 100_000_000 ? 1 : 0) + (scaledDigits >= 1_000_000_000 ? 1 : 0)
        return (UInt64(digits), fullLength + decimalExponent - 8)
    }

    /// The digits and point position of Float.description, which is exact but slower ("1e-05", "16777216.0").
    @inline(never)
    static func digitsFromDescription(_ value: Float) -> (UInt64, Int) {
        let parts = value.magnitude.description.split(separator: "e")
        var pointPosition = parts.count > 1 ? Int(parts[1])! : 0
        var mantissaDigits: [UInt64] = []
        var seenPoint = false
        for byte in parts[0].utf8 {
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else {
                mantissaDigits.append(UInt64(byte - UInt8(ascii: "0")))
                if !seenPoint { pointPosition += 1 }
            }
        }
        while mantissaDigits.first == 0 {
            mantissaDigits.removeFirst()
            pointPosition -= 1
        }
        while mantissaDigits.last == 0 { mantissaDigits.removeLast() }
        return (mantissaDigits.reduce(0) { $0 * 10 + $1 }, pointPosition)
    }

    /// The number of decimal digits of `number` (at least 1).
    @inline(__always)
    static func decimalCount(_ number: UInt64) -> Int {
        var count = 1
        var threshold: UInt64 = 10
        while number >= threshold && count < 19 {
            count += 1
            threshold &*= 10
        }
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

    /// Bytes past the returned length that `write` may scribble on (it copies digits in fixed 8-byte blocks);
    /// callers reserve `maxLength + scratchSlack` and the next write overwrites them.
    static let scratchSlack = 16

    /// Writes `value` = 0.digits * 10^pointPosition as plain decimal or scientific notation, whichever is shorter
    /// (plain on a tie); integers get no ".0" ("2", not "2.0"). Digits move in fixed-size blocks rather than
    /// loops of data-dependent length, which keeps branch mispredictions out of the hot path.
    @inline(__always)
    static func format(digits: UInt64, pointPosition: Int, isNegative: Bool, to output: UnsafeMutablePointer<UInt8>) -> Int {
        let count = decimalCount(digits)
        let scientificExponent = pointPosition - 1
        let exponentMagnitude = scientificExponent < 0 ? -scientificExponent : scientificExponent
        let exponentDigits = exponentMagnitude >= 10 ? 2 : 1
        let pointLength: Int = count > 1 ? 1 : 0
        let minusLength: Int = scientificExponent < 0 ? 1 : 0
        let scientificLength: Int = count + pointLength + 1 + minusLength + exponentDigits
        let plainLength: Int
        if pointPosition <= 0 {
            plainLength = 2 - pointPosition + count
        } else {
            plainLength = pointPosition < count ? count + 1 : pointPosition
        }
        output[0] = UInt8(ascii: "-")
        let out = UnsafeMutableRawPointer(output + (isNegative ? 1 : 0))
        var padded: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &padded) { scratch -> Int in
            let digitText = scratch.baseAddress!
            writePaddedDigits(UInt32(truncatingIfNeeded: digits), to: digitText)
            let first = digitText + (9 - count)  // the significant digits are first[0..<count]
            var written: Int
            if plainLength <= scientificLength {
                if pointPosition <= 0 {
                    // "0.000ddd": at most 4 zeros after the point, or scientific would be shorter.
                    out.storeBytes(of: 0x3030_3030_3030_2E30, as: UInt64.self)  // "0.000000"
                    written = 2 - pointPosition
                    copy9(from: first, to: out + written)
                    written += count
                } else if pointPosition < count {
                    copy9(from: first, to: out)
                    out.storeBytes(of: UInt8(ascii: "."), toByteOffset: pointPosition, as: UInt8.self)
                    copy9(from: first + pointPosition, to: out + pointPosition + 1)
                    written = count + 1
                } else {
                    copy9(from: first, to: out)
                    // At most 4 zeros follow, or scientific would be shorter.
                    (out + count).storeBytes(of: 0x3030_3030_3030_3030, as: UInt64.self)
                    written = pointPosition
                }
            } else {
                out.storeBytes(of: first.load(as: UInt8.self), as: UInt8.self)
                written = 1
                if count > 1 {
                    out.storeBytes(of: UInt8(ascii: "."), toByteOffset: 1, as: UInt8.self)
                    copy9(from: first + 1, to: out + 2)
                    written = count + 1
                }
                out.storeBytes(of: UInt8(ascii: "e"), toByteOffset: written, as: UInt8.self)
                out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: written + 1, as: UInt8.self)
                written += 1 + minusLength
                if exponentDigits == 2 {
                    (out + written).storeBytes(of: digitPairs[exponentMagnitude], as: UInt16.self)
                } else {
                    out.storeBytes(of: UInt8(truncatingIfNeeded: 48 + exponentMagnitude), toByteOffset: written, as: UInt8.self)
                }
                written += exponentDigits
            }
            return written + (isNegative ? 1 : 0)
        }
    }

    /// Copies 9 bytes (one 8-byte and one 1-byte move), whatever the meaningful length; see `scratchSlack`.
    @inline(__always)
    private static func copy9(from source: UnsafeMutableRawPointer, to destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
        destination.storeBytes(of: source.load(fromByteOffset: 8, as: UInt8.self), toByteOffset: 8, as: UInt8.self)
    }

    /// Writes `value` (< 10^9) as exactly nine ASCII digits, zero-padded, from independent divisions.
    @inline(__always)
    private static func writePaddedDigits(_ value: UInt32, to text: UnsafeMutableRawPointer) {
        let upper = value / 10_000          // the first 5 digits
        let lower = value - upper * 10_000  // the last 4
        let top = upper / 10_000            // 1 digit
        let upperRest = upper - top * 10_000
        let upperHigh = upperRest / 100
        let upperLow = upperRest - upperHigh * 100
        let lowerHigh = lower / 100
        let lowerLow = lower - lowerHigh * 100
        text.storeBytes(of: UInt8(truncatingIfNeeded: 48 + top), as: UInt8.self)
        text.storeBytes(of: digitPairs[Int(upperHigh)], toByteOffset: 1, as: UInt16.self)
        text.storeBytes(of: digitPairs[Int(upperLow)], toByteOffset: 3, as: UInt16.self)
        text.storeBytes(of: digitPairs[Int(lowerHigh)], toByteOffset: 5, as: UInt16.self)
        text.storeBytes(of: digitPairs[Int(lowerLow)], toByteOffset: 7, as: UInt16.self)
    }
}
