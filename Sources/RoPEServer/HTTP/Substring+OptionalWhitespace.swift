extension Substring.UTF8View {
    /// The bytes without the spaces and tabs around them (HTTP's optional whitespace, RFC 9110 §5.6.3).
    var trimmingOptionalWhitespace: Substring.UTF8View {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
