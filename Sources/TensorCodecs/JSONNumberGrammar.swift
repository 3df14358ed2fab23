#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One number literal scanned under the RFC 8259 grammar, with its leading decimal digits gathered for conversion.
struct ScannedNumber {
    /// The byte offset just past the literal.
    var end: Int
    /// Up to 19 significant decimal digits as an integer.
    var significand: UInt64
    /// The power of ten that scales `significand` to the value (valid only when `isSignificandExact`).
    var decimalExponent: Int
    /// Whether the literal starts with '-'.
    var isNegative: Bool
    /// False when digits beyond the 19th were dropped, so only strtof can round correctly.
    var isSignificandExact: Bool
}

/// The JSON number grammar, and the float32 conversion of a scanned literal that rounds exactly like strtof.
enum JSONNumberGrammar {
    /// Past this an exponent saturates; any value with it is 0 or infinite anyway, and saturating avoids overflow.
    private static let exponentSaturation = 1_000_000

    /// Scans the literal starting at `start`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    /// Throws `.malformed` for anything else ("01", "1.", ".5", "+1", "-"); the caller checks what follows.
    @inline(__always)
    static func scan(_ base: UnsafePointer<UInt8>, start: Int, end: Int) throws(CodecError) -> ScannedNumber {
        var position = start
        var isNegative = false
        if position < end && base[position] == UInt8(ascii: "-") {
            isNegative = true
            position += 1
        }
        guard position < end, isDigit(base[position]) else {
            throw .at(position, .malformed, position < end
                          ? "invalid number: expected a digit, found \(describe(base[position]))"
                          : "invalid number: unexpected end of input")
        }
        var significand: UInt64 = 0
        var significantDigits = 0
        var decimalExponent = 0
        var isExact = true
        if base[position] == UInt8(ascii: "0") {
            position += 1
            if position < end && isDigit(base[position]) {
                throw .at(start, .malformed, "invalid number: leading zeros are not allowed in JSON")
            }
        } else {
            while position < end, isDigit(base[position]) {
                if significantDigits < 19 {
                    significand = significand &* 10 &+ UInt64(base[position] &- 48)
                    significantDigits += 1
                } else {
                    isExact = false
                }
                position += 1
            }
        }
        if position < end && base[position] == UInt8(ascii: ".") {
            position += 1
            let fractionStart = position
            while position < end, isDigit(base[position]) {
                let digit = UInt64(base[position] &- 48)
                if significand == 0 && digit == 0 {
                    // Leading zeros of a value below one only move the decimal point.
                    decimalExponent -= 1
                } else if significantDigits < 19 {
                    significand = significand &* 10 &+ digit
                    significantDigits += 1
                    decimalExponent -= 1
                } else {
                    isExact = false
                }
                position += 1
            }
            guard position > fractionStart else {
                throw .at(position, .malformed, "invalid number: expected a digit after the decimal point")
            }
        }
        if position < end && (base[position] | 0x20) == UInt8(ascii: "e") {
            position += 1
            var exponentIsNegative = false
            if position < end && (base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-")) {
                exponentIsNegative = base[position] == UInt8(ascii: "-")
                position += 1
            }
            guard position < end, isDigit(base[position]) else {
                throw .at(position, .malformed, "invalid number: expected a digit in the exponent")
            }
            var exponent = 0
            while position < end, isDigit(base[position]) {
                if exponent < exponentSaturation { exponent = exponent * 10 + Int(base[position] &- 48) }
                position += 1
            }
            decimalExponent += exponentIsNegative ? -exponent : exponent
        }
        return ScannedNumber(end: position, significand: significand, decimalExponent: decimalExponent,
                             isNegative: isNegative, isSignificandExact: isExact)
    }

    /// Whether `bytes` is exactly one JSON number literal.
    static func isValidLiteral(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        guard let scanned = try? scan(base, start: 0, end: bytes.count) else { return false }
        return scanned.end == bytes.count
    }

    /// The float32 nearest to the scanned literal, bit-identical to strtof (round to nearest, ties to even):
    /// `Float32DecimalConversion` when it can decide, else strtof (long literals, huge or tiny exponents,
    /// subnormals, values next to a rounding midpoint). Returns an infinity on overflow; the caller turns it into
    /// an error.
    @inline(__always)
    static func float(_ scanned: ScannedNumber, base: UnsafePointer<UInt8>, start: Int) -> Float {
        if scanned.isSignificandExact,
           let value = Float32DecimalConversion.nearestFloat(significand: scanned.significand,
                                                             decimalExponent: scanned.decimalExponent,
                                                             signBit: scanned.isNegative ? 0x8000_0000 : 0) {
            return value
        }
        return strtofSlowPath(base: base, start: start, end: scanned.end)
    }

    /// strtof on a NUL-terminated stack copy of the literal (the body is not NUL-terminated).
    /// strtof reads '.' as the decimal point in the "C" locale, which a process keeps unless it calls setlocale
    /// (rope-server does not; Glibc's Swift overlay does not expose strtof_l to pin the locale).
    @inline(never)
    static func strtofSlowPath(base: UnsafePointer<UInt8>, start: Int, end: Int) -> Float {
        let length = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: base + start, byteCount: length)
            buffer[length] = 0
            return strtof(buffer.baseAddress!, nil)
        }
    }

    /// Whether `byte` is an ASCII decimal digit.
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }

    /// A byte as it should appear in an error message.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }
}
