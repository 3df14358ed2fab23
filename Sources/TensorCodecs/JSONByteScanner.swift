/// A cursor over a JSON body that reads tokens straight from the bytes, reporting errors with byte offsets.
struct JSONByteScanner {
    /// The first byte of the body.
    let base: UnsafePointer<UInt8>
    /// The body length; offsets at or past it are the end of input.
    let end: Int
    /// The offset of the next byte to read.
    var position: Int = 0
    /// The limits every token is checked against.
    let limits: CodecLimits

    /// A scanner at the start of `base[0..<count]`.
    init(base: UnsafePointer<UInt8>, count: Int, limits: CodecLimits) {
        self.base = base
        self.end = count
        self.limits = limits
    }

    /// Skips JSON whitespace (space, tab, line feed, carriage return).
    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            let byte = base[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    /// The byte at the cursor, or nil at the end of input.
    @inline(__always)
    var current: UInt8? { position < end ? base[position] : nil }

    /// The error for an unexpected byte (or the end of input) at the cursor, saying what was expected.
    func unexpected(expecting expectation: String) -> CodecError {
        guard let byte = current else {
            return .at(position, .malformed, "truncated JSON: unexpected end of input, expected \(expectation)")
        }
        return .at(position, .malformed,
                   "invalid JSON: expected \(expectation), found \(JSONNumberGrammar.describe(byte))")
    }

    /// Consumes `byte` after optional whitespace, or throws naming `expectation`.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ expectation: String) throws(CodecError) {
        skipWhitespace()
        guard current == byte else { throw unexpected(expecting: expectation) }
        position += 1
    }

    /// Reads `true`, `false` or `null` at the cursor.
    mutating func parseKeywordLiteral() throws(CodecError) -> JSONValue {
        for (word, value) in [("true", JSONValue.bool(true)), ("false", .bool(false)), ("null", .null)] {
            let utf8 = word.utf8
            if end - position >= utf8.count
                && utf8.enumerated().allSatisfy({ base[position + $0.offset] == $0.element }) {
                position += utf8.count
                return value
            }
        }
        throw unexpected(expecting: "a JSON value")
    }

    /// Reads a number literal at the cursor as a tree value, checking grammar and length.
    mutating func parseNumberValue() throws(CodecError) -> JSONValue {
        let start = position
        let scanned = try JSONNumberGrammar.scan(base, start: start, end: end)
        try checkNumberLength(start: start, end: scanned.end)
        position = scanned.end
        let literal = String(decoding: UnsafeBufferPointer(start: base + start, count: scanned.end - start),
                             as: UTF8.self)
        return .number(JSONNumber(validatedLiteral: literal))
    }

    /// Throws `.tooLarge` when a literal is longer than the limit.
    @inline(__always)
    func checkNumberLength(start: Int, end literalEnd: Int) throws(CodecError) {
        if literalEnd - start > limits.maxNumberLength {
            throw .at(start, .tooLarge, "number literal of \(literalEnd - start) characters exceeds the limit of "
                          + "\(limits.maxNumberLength)")
        }
    }

    /// Throws `.tooLarge` when opening a container would nest deeper than the limit.
    @inline(__always)
    func checkDepth(_ depth: Int) throws(CodecError) {
        if depth > limits.maxNestingDepth {
            throw .at(position, .tooLarge, "nesting deeper than the limit of \(limits.maxNestingDepth) levels")
        }
    }
}
