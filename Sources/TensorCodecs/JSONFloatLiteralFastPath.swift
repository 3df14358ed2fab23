/// Reads the number literal shapes float32 tensors are written in, in one pass with wide loads, and converts
/// them to float32: `-?d.d{1,23}` (one integer digit: `-0.8920542`, `1.2345e-05`, `0.3455841839313507`) and
/// `-?d{1,7}(.d{1,7})?`, each optionally followed by an exponent of one to three digits.
///
/// `-0.8920542` takes one sixteen-byte load for the fraction instead of a loop over its bytes, and its digits are
/// found and converted without branches that depend on their count (`SixteenDigitRun`; the other digit runs are
/// SWAR words, `EightDigitWord`).
/// Everything else returns nil and goes to the general scanner (`JSONNumberGrammar.scan`), which accepts the same
/// literals as this path plus the longer and unusual ones, and reports every grammar error: integer parts of
/// eight or more digits, longer fractions, exponents of four or more digits, every malformed literal ("01", "1.",
/// "-", "1e+"), and the values `Float32DecimalConversion` cannot decide. So this path never throws, never changes
/// which literal is an error or where it ends, and every value it returns is finite.
enum JSONFloatLiteralFastPath {
    /// The longest literal taken here: `-d.` + 23 fraction digits + `e-ddd`, 31 bytes.
    static let longestLiteral = 31

    /// The bytes that must be readable from the literal's first byte: the longest literal and the two bytes after
    /// it. The reads here never go further than the byte after the literal (the third fraction word ends at byte
    /// 26, the exponent loop stops at its fourth digit, byte 31 at most); the tensor loop searches the first 32
    /// bytes for a ',' and reads the byte after the ',' that follows a literal.
    static let window = 33

    /// The float32 value of the literal at `start` and the offset just past it, or nil when the literal has another
    /// shape or a value this path leaves to strtof (then nothing is decided and the general scanner must read it).
    /// `window` bytes from `start` must be readable.
    @inline(always)
    static func read(_ base: UnsafePointer<UInt8>, at start: Int) -> (value: Float, end: Int)? {
        // The float32 sign bit: 0x8000_0000 for '-' (0x2D), else 0, by arithmetic rather than a comparison so
        // that it cannot become a branch: the signs of tensor values are random. The position after the sign is
        // a comparison (a set-on-equal and an add), shorter on the path to the next loads.
        let signBit = (UInt32(base[start] ^ 0x2D) &- 1) & 0x8000_0000
        let integerStart = base[start] == UInt8(ascii: "-") ? start &+ 1 : start
        var significand: UInt64
        var decimalExponent: Int
        var position: Int
        // A digit and a '.' in one comparison: the two bytes minus "0." are below 10 only for those (a byte below
        // '0' borrows from the '.', and any other second byte leaves a high byte).
        let digitAndPoint = UInt16(littleEndian: UnsafeRawPointer(base + integerStart).loadUnaligned(as: UInt16.self))
            &- 0x2E30
        if digitAndPoint < 10 {
            let firstDigit = digitAndPoint
            // One integer digit and a fraction, the shape of most tensor values. The fraction's first sixteen
            // bytes are read as exactly 16 digits, the bytes after the fraction's end counting as zeros, so the
            // value needs no shift by the digit count and is converted without branching on that count (it varies
            // from literal to literal and would be mispredicted).
            let fraction = SixteenDigitRun(loadingFrom: base + (integerStart &+ 2))
            // No fraction digit ("1.", an error): the general scanner decides.
            guard fraction.count > 0 else { return nil }
            significand = UInt64(firstDigit) &* 10_000_000_000_000_000 &+ fraction.paddedValue
            decimalExponent = -16
            position = integerStart &+ 2 &+ fraction.count
            if fraction.count == 16 {
                // Sixteen fraction digits and maybe more: the 17-significant-digit Double forms that json.dumps
                // writes for float32 data (`0.3455841839313507`, `0.028422241657972336`). Up to 7 more digits in a
                // third word; one or two of them are kept (the significand stays below 10^18 < 2^63), the rest
                // dropped when at least 17 significant digits are kept, which changes the value by less than
                // 10^-16 of it (see `Float32DecimalConversion` for why that is still exact).
                let third = EightDigitWord(loadingFrom: base + position)
                let thirdDigits = third.leadingDigitCount
                guard thirdDigits < 8 else { return nil }
                let keptDigits = min(thirdDigits, firstDigit == 0 ? 2 : 1)
                if keptDigits > 0 {
                    significand = significand &* (keptDigits == 1 ? 10 : 100)
                        &+ third.value(ofLeadingDigits: keptDigits)
                    decimalExponent = -16 &- keptDigits
                }
                guard thirdDigits == keptDigits || significand >= 10_000_000_000_000_000 else { return nil }
                position &+= thirdDigits
            } else if base[position] | 0x20 != UInt8(ascii: "e") {
                // No exponent: the value is 0 or in [10^-16, 10), which saves the conversion its range checks.
                guard let value = Float32DecimalConversion.nearestFloat(sixteenFractionDigits: significand,
                                                                        signBit: signBit) else { return nil }
                return (value, position)
            }
        } else {
            // Up to seven integer digits, then optionally a fraction of up to seven digits, read as exactly eight.
            let integerWord = EightDigitWord(loadingFrom: base + integerStart)
            let integerDigits = integerWord.leadingDigitCount
            // No digit, eight or more, or a leading zero followed by digits ("01", an error): the general scanner
            // decides.
            guard integerDigits > 0, integerDigits < 8, integerDigits == 1 || integerWord.bits & 0xFF != 0x30 else {
                return nil
            }
            significand = integerWord.value(ofLeadingDigits: integerDigits)
            decimalExponent = 0
            position = integerStart &+ integerDigits
            if base[position] == UInt8(ascii: ".") {
                let fraction = EightDigitWord(loadingFrom: base + (position &+ 1))
                let fractionDigits = fraction.leadingDigitCount
                guard fractionDigits > 0, fractionDigits < 8 else { return nil }
                significand = significand &* 100_000_000 &+ fraction.paddedValue(digitMask: fraction.leadingDigitMask)
                decimalExponent = -8
                position &+= 1 &+ fractionDigits
            }
        }
        if base[position] | 0x20 == UInt8(ascii: "e") {
            position &+= 1
            let sign = base[position]
            let exponentIsNegative = sign == UInt8(ascii: "-")
            if exponentIsNegative || sign == UInt8(ascii: "+") { position &+= 1 }
            var exponent = 0
            var exponentDigits = 0
            while exponentDigits < 4, JSONNumberGrammar.isDigit(base[position]) {
                exponent = exponent &* 10 &+ Int(base[position] &- 48)
                exponentDigits &+= 1
                position &+= 1
            }
            guard exponentDigits > 0, exponentDigits < 4 else { return nil }
            decimalExponent &+= exponentIsNegative ? -exponent : exponent
        }
        guard let value = Float32DecimalConversion.nearestFloat(significand: significand,
                                                                decimalExponent: decimalExponent,
                                                                signBit: signBit) else { return nil }
        return (value, position)
    }
}
