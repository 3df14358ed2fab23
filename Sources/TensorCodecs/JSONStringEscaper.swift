/// Escapes strings for JSON output (RFC 8259, section 7): quotes, backslashes and control characters; everything
/// else passes as UTF-8.
public enum JSONStringEscaper {
    /// Writes `string` in double quotes with the required escapes.
    public static func write(_ string: String, to buffer: inout ResponseBuffer) {
        buffer.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.append(StaticString("\\\""))
            case UInt8(ascii: "\\"): buffer.append(StaticString("\\\\"))
            case 0x0A: buffer.append(StaticString("\\n"))
            case 0x0D: buffer.append(StaticString("\\r"))
            case 0x09: buffer.append(StaticString("\\t"))
            case 0x08: buffer.append(StaticString("\\b"))
            case 0x0C: buffer.append(StaticString("\\f"))
            case ..<0x20:
                let hex: StaticString = "0123456789abcdef"
                buffer.append(StaticString("\\u00"))
                buffer.append(hex.utf8Start[Int(byte >> 4)])
                buffer.append(hex.utf8Start[Int(byte & 0xF)])
            default:
                buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
