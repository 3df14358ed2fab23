/// The shortest decimal significand · 10^exponent that reads back (float32, round to nearest even) as a given
/// nonzero finite Float; among equally short candidates the one closest to the Float, ties to an even last digit
/// (the digits of Float.description). The significand may end in zeros (the formatter drops them).
///
/// Schubfach (Raffaello Giulietti, "The Schubfach way to render doubles", 2020; the algorithm behind Java's
/// Float.toString since JDK 19), in integer arithmetic only and without loops or data-dependent branches: the
/// Float c·2^q and the ends of its rounding interval, as 4c·2^q and (4c ± 2)·2^q (the lower end at 4c − 1
/// for a power of two, whose neighbour below is half as far away), are scaled by 10^-k, k = ⌊log10 2^q⌋
/// (⌊log10 ¾·2^q⌋ for a power of two), each through one 64×64-bit product with a 64-bit approximation of
/// 10^-k, rounded to odd so that comparisons with integers stay exact. Of the multiples of 10^(k+1) at most one
/// lies in the interval; if one does it is the shortest. Otherwise one or both of the multiples of 10^k around the
/// Float do, and the one inside or nearer is taken. No digit-removal loop (Ryū's), whose data-dependent
/// iterations and branches would dominate the formatter's time; both give the same digits for every float32
/// (checked over all 2^32 bit patterns).
struct ShortestDecimal {
    /// The decimal digits as an integer, below 10^9.
    var significand: UInt32
    /// The power of ten of the significand's last digit.
    var exponent: Int

    /// ⌈10^e / 2^r⌉ with r = ⌊log2 10^e⌋ − 63 (so 2^63 <= value < 2^64), for e = −31 ... 45: every power
    /// the float32 exponents need. A literal, so the optimizer places it in static memory.
    private static let powersOfTen: [UInt64] = [
        0x81CE_B32C_4B43_FCF5, 0xA242_5FF7_5E14_FC32, 0xCAD2_F7F5_359A_3B3F,  // 10^-31 ...
        0xFD87_B5F2_8300_CA0E, 0x9E74_D1B7_91E0_7E49, 0xC612_0625_7658_9DDB,  // 10^-28 ...
        0xF796_87AE_D3EE_C552, 0x9ABE_14CD_4475_3B53, 0xC16D_9A00_9592_8A28,  // 10^-25 ...
        0xF1C9_0080_BAF7_2CB2, 0x971D_A050_74DA_7BEF, 0xBCE5_0864_9211_1AEB,  // 10^-22 ...
        0xEC1E_4A7D_B695_61A6, 0x9392_EE8E_921D_5D08, 0xB877_AA32_36A4_B44A,  // 10^-19 ...
        0xE695_94BE_C44D_E15C, 0x901D_7CF7_3AB0_ACDA, 0xB424_DC35_095C_D810,  // 10^-16 ...
        0xE12E_1342_4BB4_0E14, 0x8CBC_CC09_6F50_88CC, 0xAFEB_FF0B_CB24_AAFF,  // 10^-13 ...
        0xDBE6_FECE_BDED_D5BF, 0x8970_5F41_36B4_A598, 0xABCC_7711_8461_CEFD,  // 10^-10 ...
        0xD6BF_94D5_E57A_42BD, 0x8637_BD05_AF6C_69B6, 0xA7C5_AC47_1B47_8424,  // 10^-7 ...
        0xD1B7_1758_E219_652C, 0x8312_6E97_8D4F_DF3C, 0xA3D7_0A3D_70A3_D70B,  // 10^-4 ...
        0xCCCC_CCCC_CCCC_CCCD, 0x8000_0000_0000_0000, 0xA000_0000_0000_0000,  // 10^-1 ...
        0xC800_0000_0000_0000, 0xFA00_0000_0000_0000, 0x9C40_0000_0000_0000,  // 10^2 ...
        0xC350_0000_0000_0000, 0xF424_0000_0000_0000, 0x9896_8000_0000_0000,  // 10^5 ...
        0xBEBC_2000_0000_0000, 0xEE6B_2800_0000_0000, 0x9502_F900_0000_0000,  // 10^8 ...
        0xBA43_B740_0000_0000, 0xE8D4_A510_0000_0000, 0x9184_E72A_0000_0000,  // 10^11 ...
        0xB5E6_20F4_8000_0000, 0xE35F_A931_A000_0000, 0x8E1B_C9BF_0400_0000,  // 10^14 ...
        0xB1A2_BC2E_C500_0000, 0xDE0B_6B3A_7640_0000, 0x8AC7_2304_89E8_0000,  // 10^17 ...
        0xAD78_EBC5_AC62_0000, 0xD8D7_26B7_177A_8000, 0x8786_7832_6EAC_9000,  // 10^20 ...
        0xA968_163F_0A57_B400, 0xD3C2_1BCE_CCED_A100, 0x8459_5161_4014_84A0,  // 10^23 ...
        0xA56F_A5B9_9019_A5C8, 0xCECB_8F27_F420_0F3A, 0x813F_3978_F894_0985,  // 10^26 ...
        0xA18F_07D7_36B9_0BE6, 0xC9F2_C9CD_0467_4EDF, 0xFC6F_7C40_4581_2297,  // 10^29 ...
        0x9DC5_ADA8_2B70_B59E, 0xC537_1912_364C_E306, 0xF684_DF56_C3E0_1BC7,  // 10^32 ...
        0x9A13_0B96_3A6C_115D, 0xC097_CE7B_C907_15B4, 0xF0BD_C21A_BB48_DB21,  // 10^35 ...
        0x9676_9950_B50D_88F5, 0xBC14_3FA4_E250_EB32, 0xEB19_4F8E_1AE5_25FE,  // 10^38 ...
        0x92EF_D1B8_D0CF_37BF, 0xB7AB_C627_0503_05AE, 0xE596_B7B0_C643_C71A,  // 10^41 ...
        0x8F7E_32CE_7BEA_5C70, 0xB35D_BF82_1AE4_F38C,  // 10^44 ...
    ]

    /// For a normal Float's biased exponent e (q = e − 150): bytes 0 ..< 256 hold 31 − k, the index in
    /// `powersOfTen` of 10^-k for k = ⌊log10 2^q⌋, and bytes 256 ..< 512 the shift
    /// h = q + ⌊log2 10^-k⌋ + 1, both as `init(c:q:isLopsided:)` computes them (entries for e = 0 and 255
    /// unused). A lookup, as the arithmetic cost more in the tensor loop; the strided sweep in the tests covers
    /// every biased exponent.
    private static let scaleByBiasedExponent: [UInt8] = [
        0, 76, 76, 76, 75, 75, 75, 75, 74, 74, 74, 73, 73, 73, 72, 72,
        72, 72, 71, 71, 71, 70, 70, 70, 69, 69, 69, 69, 68, 68, 68, 67,
        67, 67, 66, 66, 66, 66, 65, 65, 65, 64, 64, 64, 63, 63, 63, 63,
        62, 62, 62, 61, 61, 61, 60, 60, 60, 59, 59, 59, 59, 58, 58, 58,
        57, 57, 57, 56, 56, 56, 56, 55, 55, 55, 54, 54, 54, 53, 53, 53,
        53, 52, 52, 52, 51, 51, 51, 50, 50, 50, 50, 49, 49, 49, 48, 48,
        48, 47, 47, 47, 47, 46, 46, 46, 45, 45, 45, 44, 44, 44, 44, 43,
        43, 43, 42, 42, 42, 41, 41, 41, 41, 40, 40, 40, 39, 39, 39, 38,
        38, 38, 38, 37, 37, 37, 36, 36, 36, 35, 35, 35, 35, 34, 34, 34,
        33, 33, 33, 32, 32, 32, 31, 31, 31, 31, 30, 30, 30, 29, 29, 29,
        28, 28, 28, 28, 27, 27, 27, 26, 26, 26, 25, 25, 25, 25, 24, 24,
        24, 23, 23, 23, 22, 22, 22, 22, 21, 21, 21, 20, 20, 20, 19, 19,
        19, 19, 18, 18, 18, 17, 17, 17, 16, 16, 16, 16, 15, 15, 15, 14,
        14, 14, 13, 13, 13, 13, 12, 12, 12, 11, 11, 11, 10, 10, 10, 10,
        9, 9, 9, 8, 8, 8, 7, 7, 7, 7, 6, 6, 6, 5, 5, 5,
        4, 4, 4, 4, 3, 3, 3, 2, 2, 2, 1, 1, 1, 0, 0, 0,
        0, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 1, 2,
        3, 4, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 1,
        2, 3, 1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4,
        1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3,
        1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 1, 2, 3,
        4, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 1, 2,
        3, 1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 1,
        2, 3, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 1,
        2, 3, 4, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3,
        1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 1, 2, 3,
        1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 1, 2,
        3, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 1, 2,
        3, 4, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 1,
        2, 3, 1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 1, 2, 3, 4,
        1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 1, 2, 3,
        1, 2, 3, 4, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 0,
    ]

    /// The decimal of a normal Float whose fraction bits are not all zero (0 < biased exponent < 255): the common
    /// case, whose rounding interval reaches equally far both ways.
    @_transparent
    init(biasedExponent: Int, nonzeroFraction fraction: UInt32) {
        let scale = Self.scaleByBiasedExponent.withUnsafeBufferPointer { $0.baseAddress! + biasedExponent }
        let powerIndex = Int(scale[0])
        self.init(c: fraction | 0x80_0000, k: 31 &- powerIndex, h: UInt32(scale[256]),
                  g: Self.powersOfTen.withUnsafeBufferPointer { $0[powerIndex] }, isLopsided: false)
    }

    /// The decimal of a nonzero finite Float that is a power of two or subnormal (fraction bits all zero, or biased
    /// exponent 0).
    init(powerOfTwoOrSubnormalWithBiasedExponent biasedExponent: Int, fraction: UInt32) {
        if biasedExponent == 0 {
            // Subnormals share the exponent of the smallest normals.
            self.init(c: fraction, q: 1 &- 150, isLopsided: false)
        } else {
            // A power of two's neighbour below is half as far away as the one above (except for the smallest
            // normal's, a subnormal as far away).
            self.init(c: 0x80_0000, q: biasedExponent &- 150, isLopsided: biasedExponent > 1)
        }
    }

    /// The decimal of c · 2^q; `isLopsided`: the rounding interval reaches half as far down as up (a power of two).
    private init(c: UInt32, q: Int, isLopsided: Bool) {
        // ⌊log10 2^q⌋ = ⌊q · 1262611 / 2^22⌋ and ⌊log10 ¾·2^q⌋ = ⌊(q · 1262611 − 524031) / 2^22⌋
        // for the float32 q.
        let k = (q &* 1_262_611 &- (isLopsided ? 524_031 : 0)) &>> 22
        // 10^-k ≈ g · 2^(⌊log2 10^-k⌋ − 63), ⌊log2 10^e⌋ = ⌊e · 1741647 / 2^19⌋.
        let h = UInt32(truncatingIfNeeded: q &+ ((-k &* 1_741_647) &>> 19) &+ 1)
        self.init(c: c, k: k, h: h, g: Self.powersOfTen.withUnsafeBufferPointer { $0[31 &- k] }, isLopsided: isLopsided)
    }

    /// The decimal of c · 2^q, given k (see the type's summary), g ≈ 10^-k · 2^(63 − ⌊log2 10^-k⌋) and the
    /// shift h = q + ⌊log2 10^-k⌋ + 1 (1 ... 4) that puts the scaled values' binary point at bit 64 of the
    /// products.
    @_transparent
    private init(c: UInt32, k: Int, h: UInt32, g: UInt64, isLopsided: Bool) {
        // Round-to-nearest-even parsing reads the interval's ends back as this Float when c is even.
        let endAdjustment: UInt32 = c & 1
        let center = c &<< 2
        let lower = Self.scaledRoundedToOdd(g, (center &- 2 &+ (isLopsided ? 1 : 0)) &<< h) &+ endAdjustment
        let scaled = Self.scaledRoundedToOdd(g, center &<< h)
        let upper = Self.scaledRoundedToOdd(g, (center &+ 2) &<< h) &- endAdjustment
        // All in quarters of 10^k, and no data-dependent branches: the choices are comparisons turned into 0/1,
        // minimum, maximum and a mask.
        // The interval is narrower than 10^(k+1) (40 quarters), so it holds at most one multiple of 10^(k+1): if
        // the first one at or above its lower end is not past its upper end, that one is the shortest.
        let shorter = (lower &+ 39) / 40
        let useShorter = Self.bit(shorter &* 40 <= upper)
        // Otherwise a multiple of 10^k: of s and s + 1 around the Float (s = scaled / 4) the nearer, ties to even
        // (quarters past s: 0 and 1 round down, 3 up, 2 to even)...
        let rounded = (scaled &+ 1 &+ (scaled &>> 2 & 1)) &>> 2
        // ... unless only the other one is inside the interval (at least one is): clamped to those inside.
        let nearest = min(max(rounded, (lower &+ 3) &>> 2), upper &>> 2)
        // A mask rather than `?:`, which the optimizer turned into a mispredicted branch here.
        let shorterMask = 0 &- useShorter
        significand = shorter & shorterMask | nearest & ~shorterMask
        exponent = k &+ Int(useShorter)
    }

    /// 1 for true, 0 for false.
    @_transparent
    private static func bit(_ condition: Bool) -> UInt32 { condition ? 1 : 0 }

    /// The upper 32 bits of `g · value` over 2^64 (the integer part), with its lowest bit set when the
    /// fraction is not negligible (round to odd: keeps the comparisons with the interval's ends exact).
    @inline(__always)
    private static func scaledRoundedToOdd(_ g: UInt64, _ value: UInt32) -> UInt32 {
        let product = g.multipliedFullWidth(by: UInt64(value))
        let integer = UInt32(truncatingIfNeeded: product.high)
        let fractionHigh = UInt32(truncatingIfNeeded: product.low &>> 32)
        return integer | (fractionHigh > 1 ? 1 : 0)
    }
}
