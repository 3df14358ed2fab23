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

/// The JSON number grammar and the float32 conversion that rounds exactly like strtof.
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
            throw .at(position, .malformed, position < end ? "invalid number: expected a digit, found \(describe(base[position]))" : "invalid number: unexpected end of input")
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

    /// Exact powers of ten representable in a Double (10^22 is the largest).
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The float32 nearest to the scanned literal, bit-identical to strtof (round to nearest, ties to even).
    ///
    /// Fast path: significand * 10^e through Double has a relative error of at most two Double roundings
    /// (Double(significand) when it exceeds 2^53, then the exactly representable 10^|e| <= 10^22), i.e. under
    /// 3 Double ulps. Rounding that Double to Float is then correct unless a float32 rounding midpoint lies within
    /// those ulps (the low 29 of the 52 fraction bits are the part Float drops; a midpoint is 0x1000_0000), or the
    /// result leaves the float32 normal range. Those rare cases, long literals and large exponents go to strtof.
    /// Returns an infinity on overflow; the caller turns it into an error.
    @inline(__always)
    static func float(_ scanned: ScannedNumber, base: UnsafePointer<UInt8>, start: Int) -> Float {
        if scanned.significand == 0 && scanned.isSignificandExact {
            return scanned.isNegative ? -0.0 : 0.0
        }
        if scanned.isSignificandExact && scanned.decimalExponent >= -22 && scanned.decimalExponent <= 22 {
            var magnitude = Double(scanned.significand)
            if scanned.decimalExponent >= 0 {
                magnitude *= exactPowersOfTen[scanned.decimalExponent]
            } else {
                magnitude /= exactPowersOfTen[-scanned.decimalExponent]
            }
            let distanceFromMidpoint = Int(magnitude.bitPattern & 0x1FFF_FFFF) - 0x1000_0000
            if magnitude >= Double(Float.leastNormalMagnitude) && magnitude <= Double(Float.greatestFiniteMagnitude)
                && (distanceFromMidpoint > 8 || distanceFromMidpoint < -8) {
                let rounded = Float(magnitude)
                return scanned.isNegative ? -rounded : rounded
            }
        }
        return strtofSlowPath(base: base, start: start, end: scanned.end)
    }

    /// strtof on a NUL-terminated stack copy of the literal (the body is not NUL-terminated).
    /// strtof reads '.' as the decimal point because the process stays in the "C" locale: nothing in the server
    /// calls setlocale (Glibc's Swift overlay does not expose strtof_l to pin it).
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
