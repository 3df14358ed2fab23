/// The float32 nearest to `significand * 10^exponent` (round to nearest, ties to even, as strtof), computed in
/// Double with a bounded error, for the literals where that bound decides the rounding.
///
/// The method is Clinger's fast path ("How to read floating point numbers accurately", PLDI 1990) with the
/// rounding error bounded instead of avoided, as in the Double paths of David Gay's strtod and of fast_float:
/// for a significand below 2^63, `Double(significand) * 10^e` takes at most three roundings (the significand when
/// it exceeds 2^53, the power of ten below 10^0 or above 10^22, the product), each a relative error of at most
/// 2^-53, so the result is within 3 * 2^-53 of the exact value relatively, a little over 3 of its Double ulps.
/// Rounding that Double to float32 is correct unless a float32 rounding midpoint lies within those ulps: a
/// midpoint has 0x1000_0000 in the low 29 of the 52 fraction bits (the part float32 drops), and the guard is 8
/// ulps either side. Results outside [2^-126, 2^127) are also left to the caller, so every result is a finite
/// normal float and the float32 subnormal grid never matters. Multiplying by a rounded 10^e instead of dividing
/// by the exact 10^-e keeps a division, several times a multiplication's latency, out of every number.
///
/// The significand may also have been truncated, the literal's digits after the 17th significant one dropped
/// (callers do that only with at least 17 digits kept): that lowers the value by less than 10^-16 of it, about
/// 0.9 * 2^-53, so the Double result stays within 4 of its ulps of the literal's exact value and the same guard
/// decides.
///
/// Verified exhaustively against glibc's strtof for the shortest, `%.9g` and scientific forms of every finite
/// float32, and on random literals of 1 to 25 digits and literals next to rounding midpoints.
enum Float32DecimalConversion {
    /// The exponent of `powersOfTen[0]`.
    private static let smallestPowerOfTen = -64

    /// 10^-64 ... 10^38 as Doubles, each rounded to nearest (exact from 10^0 to 10^22), so with a relative error
    /// of at most 2^-53. A significand below 10^19 times these covers the float32 range.
    private static let powersOfTen: [Double] = [
        1e-64, 1e-63, 1e-62, 1e-61, 1e-60, 1e-59, 1e-58, 1e-57, 1e-56, 1e-55,
        1e-54, 1e-53, 1e-52, 1e-51, 1e-50, 1e-49, 1e-48, 1e-47, 1e-46, 1e-45,
        1e-44, 1e-43, 1e-42, 1e-41, 1e-40, 1e-39, 1e-38, 1e-37, 1e-36, 1e-35,
        1e-34, 1e-33, 1e-32, 1e-31, 1e-30, 1e-29, 1e-28, 1e-27, 1e-26, 1e-25,
        1e-24, 1e-23, 1e-22, 1e-21, 1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15,
        1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5,
        1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5,
        1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25,
        1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35,
        1e36, 1e37, 1e38,
    ]

    /// The float32 nearest to `significand * 10^decimalExponent` with the sign bit `signBit` (0 or 0x8000_0000;
    /// zero gives a signed zero), or nil when this method cannot decide it: a significand of 2^63 or more, an
    /// exponent outside the table, a result within the guard of a rounding midpoint or outside [2^-126, 2^127).
    /// A non-nil result is always finite. The caller then needs an exact method (strtof).
    ///
    /// The sign comes as a bit to or in, not as a Bool: signs of tensor values are random, and a Bool ends up as
    /// a mispredicted branch (LLVM turns the select into one).
    @inline(always)
    static func nearestFloat(significand: UInt64, decimalExponent: Int, signBit: UInt32) -> Float? {
        if significand == 0 {
            return Float(bitPattern: signBit)
        }
        let powerIndex = decimalExponent &- smallestPowerOfTen
        guard significand < 1 << 63, powerIndex >= 0, powerIndex < powersOfTen.count else { return nil }
        let magnitude = Double(Int64(bitPattern: significand)) * powersOfTen[powerIndex]
        let bits = magnitude.bitPattern
        // Biased Double exponents 1023 - 126 ... 1023 + 126: a normal float32 below 2^127, so rounding up cannot
        // reach infinity.
        let isSafelyNormal = (bits &>> 52) &- (1023 - 126) < 253
        let distanceFromMidpoint = Int(bits & 0x1FFF_FFFF) &- 0x1000_0000
        guard isSafelyNormal, distanceFromMidpoint > 8 || distanceFromMidpoint < -8 else { return nil }
        return Float(bitPattern: Float(magnitude).bitPattern | signBit)
    }

    /// `nearestFloat` for `significand * 10^-16` with a significand below 10^17 (one integer digit and sixteen
    /// fraction digits): the value is 0 or in [10^-16, 10), well inside the float32 normal range, so only the
    /// midpoint guard remains to be checked. Zero needs no case of its own: its product is +0.0, far from a
    /// midpoint, and the sign bit makes it a signed zero.
    @inline(always)
    static func nearestFloat(sixteenFractionDigits significand: UInt64, signBit: UInt32) -> Float? {
        let magnitude = Double(Int64(bitPattern: significand)) * 1e-16
        let distanceFromMidpoint = Int(magnitude.bitPattern & 0x1FFF_FFFF) &- 0x1000_0000
        guard distanceFromMidpoint > 8 || distanceFromMidpoint < -8 else { return nil }
        return Float(bitPattern: Float(magnitude).bitPattern | signBit)
    }
}
