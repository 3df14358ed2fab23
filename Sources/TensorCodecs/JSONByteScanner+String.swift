extension JSONByteScanner {
    /// Reads a string at the cursor (which is on the opening quote), decoding escapes and validating UTF-8.
    mutating func parseString() throws(CodecError) -> String {
        let open = position
        var scan = open + 1
        // Most keys and values are plain ASCII without escapes: decode those straight from the body.
        while scan < end {
            let byte = base[scan]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            scan += 1
        }
        if scan < end && base[scan] == UInt8(ascii: "\"") {
            try checkStringLength(scan - open - 1, start: open)
            position = scan + 1
            return String(decoding: UnsafeBufferPointer(start: base + open + 1, count: scan - open - 1), as: UTF8.self)
        }
        var decoded = [UInt8](UnsafeBufferPointer(start: base + open + 1, count: scan - open - 1))
        while true {
            guard scan < end else {
                throw .at(open, .malformed, "truncated JSON: unterminated string starting")
            }
            let byte = base[scan]
            if byte == UInt8(ascii: "\"") {
                position = scan + 1
                // Every byte was validated above, so decoding cannot substitute replacement characters.
                return String(decoding: decoded, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                scan = try decodeEscape(at: scan, into: &decoded)
            } else if byte < 0x20 {
                throw .at(scan, .malformed,
                          "invalid JSON string: control character \(JSONNumberGrammar.describe(byte)) must be escaped")
            } else if byte < 0x80 {
                decoded.append(byte)
                scan += 1
            } else {
                let length = validUTF8SequenceLength(at: scan)
                guard length > 0 else {
                    throw .at(scan, .malformed, "invalid UTF-8 in string")
                }
                decoded.append(contentsOf: UnsafeBufferPointer(start: base + scan, count: length))
                scan += length
            }
            try checkStringLength(decoded.count, start: open)
        }
    }

    /// Throws `.tooLarge` when a string is longer than the limit.
    @inline(__always)
    private func checkStringLength(_ length: Int, start: Int) throws(CodecError) {
        if length > limits.maxStringLength {
            throw .at(start, .tooLarge, "string longer than the limit of \(limits.maxStringLength) bytes")
        }
    }

    /// Decodes the escape at `offset` (on the backslash) into `decoded`; returns the offset after it.
    private func decodeEscape(at offset: Int, into decoded: inout [UInt8]) throws(CodecError) -> Int {
        guard offset + 1 < end else { throw .at(offset, .malformed, "truncated JSON: unterminated escape") }
        let simple: UInt8
        switch base[offset + 1] {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            var scalar = try hexQuad(at: offset + 2)
            var next = offset + 6
            if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw .at(offset, .malformed,
                          "invalid JSON string: lone low surrogate \\u\(String(scalar, radix: 16, uppercase: true))")
            }
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                // A high surrogate is only meaningful when a low surrogate escape follows immediately.
                guard next + 1 < end, base[next] == UInt8(ascii: "\\"), base[next + 1] == UInt8(ascii: "u") else {
                    let hex = String(scalar, radix: 16, uppercase: true)
                    throw .at(offset, .malformed, "invalid JSON string: lone high surrogate \\u\(hex)")
                }
                let low = try hexQuad(at: next + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    let hex = String(scalar, radix: 16, uppercase: true)
                    throw .at(offset, .malformed,
                              "invalid JSON string: high surrogate \\u\(hex) not followed by a low surrogate")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                next += 6
            }
            appendUTF8(scalar, to: &decoded)
            return next
        default:
            throw .at(offset, .malformed,
                      "invalid JSON string: unknown escape \\\(JSONNumberGrammar.describe(base[offset + 1]))")
        }
        decoded.append(simple)
        return offset + 2
    }

    /// The four hex digits at `offset` as a code unit.
    private func hexQuad(at offset: Int) throws(CodecError) -> UInt32 {
        guard offset + 4 <= end else { throw .at(offset, .malformed, "truncated JSON: incomplete \\u escape") }
        var value: UInt32 = 0
        for index in offset..<(offset + 4) {
            let byte = base[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .at(index, .malformed, "invalid JSON string: \\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Appends the UTF-8 encoding of a scalar value (never a surrogate here).
    private func appendUTF8(_ scalar: UInt32, to decoded: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            decoded.append(UInt8(scalar))
        case ..<0x800:
            decoded.append(UInt8(0xC0 | scalar >> 6))
            decoded.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            decoded.append(UInt8(0xE0 | scalar >> 12))
            decoded.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            decoded.append(UInt8(0x80 | scalar & 0x3F))
        default:
            decoded.append(UInt8(0xF0 | scalar >> 18))
            decoded.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            decoded.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            decoded.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// The length of the well-formed UTF-8 sequence at `offset` (Unicode table 3-7: no overlongs, no surrogates,
    /// nothing above U+10FFFF), or 0 when it is ill-formed or truncated.
    private func validUTF8SequenceLength(at offset: Int) -> Int {
        let lead = base[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return 0
        }
        guard offset + length <= end, secondRange.contains(base[offset + 1]) else { return 0 }
        for index in (offset + 2)..<(offset + length) where base[index] & 0xC0 != 0x80 {
            return 0
        }
        return length
    }
}
