import RoPE

/// Parses a JSON body (RFC 8259): the named tensor fields straight into flat float32 tensors (each literal rounded
/// to the nearest float32), the rest into `JSONValue`.
public enum JSONRequestReader {
    /// Parses `bytes`, which must hold one JSON object (whitespace around it is fine).
    ///
    /// Errors come in document order: the first problem found is the one reported.
    public static func parse(_ bytes: UnsafeRawBufferPointer, tensorFields: Set<String>,
                             limits: CodecLimits) throws(CodecError) -> JSONRequestBody {
        guard let raw = bytes.baseAddress, !bytes.isEmpty else {
            throw CodecError(kind: .malformed, offset: 0, message: "empty body: expected a JSON object")
        }
        // The body is plain bytes; viewing them as UInt8 is what every byte-level reader does.
        var scanner = JSONByteScanner(base: raw.assumingMemoryBound(to: UInt8.self), count: bytes.count, limits: limits)
        scanner.skipWhitespace()
        let start = scanner.position
        guard scanner.current == UInt8(ascii: "{") else {
            // Syntax first: a body that is not JSON is `malformed`; only well-formed JSON that is not an object is
            // `invalid`.
            let value = try scanner.parseValue(depth: 0, field: nil)
            try scanner.expectEndOfInput()
            throw CodecError(kind: .invalid, offset: start,
                             message: "request body must be a JSON object, found \(value.typeDescription) "
                                 + "at byte \(start)")
        }
        try scanner.checkDepth(1)
        scanner.position += 1
        var body = JSONRequestBody()
        var keys = Set<String>()
        scanner.skipWhitespace()
        if scanner.current == UInt8(ascii: "}") {
            scanner.position += 1
        } else {
            while true {
                let key = try scanner.readUniqueKey(&keys)
                if tensorFields.contains(key) {
                    do {
                        body.tensors[key] = try scanner.parseTensorField(depth: 1)
                    } catch {
                        throw error.locatedIn(field: key)
                    }
                } else {
                    body.fields.members.append((key: key, value: try scanner.parseValue(depth: 1, field: key)))
                }
                scanner.skipWhitespace()
                if scanner.current == UInt8(ascii: ",") {
                    scanner.position += 1
                    continue
                }
                guard scanner.current == UInt8(ascii: "}") else {
                    throw scanner.unexpected(expecting: "',' or '}' after the value of '\(key)'")
                }
                scanner.position += 1
                break
            }
        }
        try scanner.expectEndOfInput()
        return body
    }
}

extension JSONByteScanner {
    /// Throws `.malformed` unless only whitespace is left.
    mutating func expectEndOfInput() throws(CodecError) {
        skipWhitespace()
        guard position == end else {
            throw .at(position, .malformed, "invalid JSON: unexpected \(JSONNumberGrammar.describe(base[position])) "
                          + "after the end of the JSON value")
        }
    }
}
