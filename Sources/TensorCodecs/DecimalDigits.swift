/// Decimal digits of 32-bit integers without loops, divisions or data-dependent branches: the digit count, and
/// nine digits as ASCII in a register.
enum DecimalDigits {
    /// "00" ... "99" as little-endian byte pairs, so two digits are one 16-bit store. A literal, so it is static.
    static let pairs: [UInt16] = [
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

    /// For numbers of bit length i + 1: the digit count d of 2^i in the high half, and when a power of ten 10^d lies
    /// below 2^(i+1), 2^32 − 10^d in the low half, so adding a number of that bit length carries into the high
    /// half exactly when it has d + 1 digits (Lemire's digit count).
    private static let countsByBitIndex: [UInt64] = [
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
    static func count(_ number: UInt32) -> Int {
        // `| 1` leaves the highest set bit alone and tells the optimizer the word is not zero (a bare bsr).
        let bitIndex = 31 &- (number | 1).leadingZeroBitCount
        let entry = countsByBitIndex.withUnsafeBufferPointer { $0[bitIndex] }
        return Int(truncatingIfNeeded: (UInt64(number) &+ entry) &>> 32)
    }

    /// 10^(9 − count) for a digit count of 0 ... 9.
    private static let alignmentFactors: [UInt32] = [
        1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1,
    ]

    /// `number` (of `count` digits, at most nine) times 10^(9 − count): its digits followed by zeros, nine in all.
    @_transparent
    static func leftAlignedToNine(_ number: UInt32, count: Int) -> UInt32 {
        number &* alignmentFactors.withUnsafeBufferPointer { $0[count] }
    }

    /// The first digit of `value` (10^8 <= value < 10^9) as a number, and the other eight as ASCII digits, the
    /// second digit in the lowest byte (so a little-endian store writes them in reading order).
    ///
    /// value / 10^8 as a 64.64 fixed-point number (⌈2^64 / 10^8⌉ overestimates by less than 2^-30 per unit): the
    /// integer part is the first digit, and each multiplication of the fraction by 100 moves the next two digits
    /// into the integer part, which `pairs` turns into two ASCII bytes. The error grows a hundredfold per
    /// step but stays below 2^-6 of a unit, so no digit is off (checked for every nine-digit value).
    @inline(__always)
    static func asciiNine(_ value: UInt32) -> (first: UInt32, rest: UInt64) {
        let first = UInt64(value).multipliedFullWidth(by: 184_467_440_738)
        let pair1 = first.low.multipliedFullWidth(by: 100)
        let pair2 = pair1.low.multipliedFullWidth(by: 100)
        let pair3 = pair2.low.multipliedFullWidth(by: 100)
        let pair4 = pair3.low.multipliedFullWidth(by: 100)
        let rest = pairs.withUnsafeBufferPointer { pairs in
            UInt64(pairs[Int(pair1.high)]) | UInt64(pairs[Int(pair2.high)]) &<< 16
                | UInt64(pairs[Int(pair3.high)]) &<< 32 | UInt64(pairs[Int(pair4.high)]) &<< 48
        }
        return (UInt32(truncatingIfNeeded: first.high), rest)
    }
}
