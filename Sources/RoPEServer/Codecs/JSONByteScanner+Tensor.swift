import RoPE

extension JSONByteScanner {
    /// Reads a tensor field's value: a nested array of numbers, straight into a flat row-major [Float].
    /// Anything else (null, a number, an object...) is read for syntax and then rejected as `.invalid`.
    mutating func parseTensorField(depth: Int) throws(CodecError) -> Tensor {
        skipWhitespace()
        let start = position
        guard current == UInt8(ascii: "[") else {
            let value = try parseValue(depth: depth, field: nil)
            throw .at(start, .invalid, "expected a nested array of numbers, found \(value.typeDescription)")
        }
        return try parseTensor(depth: depth)
    }

    /// Skips JSON whitespace from `offset`.
    @inline(__always)
    private static func skipWhitespace(_ base: UnsafePointer<UInt8>, _ offset: Int, _ end: Int) -> Int {
        var offset = offset
        while offset < end {
            let byte = base[offset]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
            offset += 1
        }
        return offset
    }

    /// Reads the nested array at the cursor (on its '['). The rank comes from the first run of opening brackets,
    /// the length of each axis from the first array closed at that depth; every later array must match (else
    /// ragged). Iterative, with one counter per axis.
    private mutating func parseTensor(depth: Int) throws(CodecError) -> Tensor {
        let base = self.base
        let end = self.end
        var offset = position
        var openOffsets: [Int] = []
        while true {
            if offset < end && base[offset] == UInt8(ascii: "[") {
                position = offset
                try checkDepth(depth + openOffsets.count + 1)
                openOffsets.append(offset)
                offset += 1
            } else {
                let next = Self.skipWhitespace(base, offset, end)
                if next == offset { break }
                offset = next
            }
        }
        let rank = openOffsets.count
        let innermost = rank - 1
        var axisLengths = [Int](repeating: -1, count: rank)
        var counts = [Int](repeating: 0, count: rank)
        let maxElements = limits.maxTensorElements
        var values = TensorElementCollector(maxElements: maxElements)
        let maxNumberLength = limits.maxNumberLength
        // Literals starting at or before this offset have the fast path's window of bytes before the end. With a
        // length limit below the fast path's longest literal, every literal takes the general path, which checks
        // the length; otherwise fast literals never need that check.
        let fastPathLimit = maxNumberLength >= JSONFloatLiteralFastPath.longestLiteral
            ? end &- JSONFloatLiteralFastPath.window : Int.min
        var level = innermost
        // `offset` is just past the '[' that opened `level`.
        opening: while true {
            offset = Self.skipWhitespace(base, offset, end)
            guard offset < end else { throw truncatedTensor(at: offset) }
            if level < innermost {
                if base[offset] == UInt8(ascii: "[") {
                    level += 1
                    openOffsets[level] = offset
                    offset += 1
                    continue opening
                }
                guard base[offset] == UInt8(ascii: "]") else {
                    throw try unexpectedElement(at: offset, expecting: "an array", level: level)
                }
            } else if base[offset] != UInt8(ascii: "]") {
                let rowStart = values.count
                // `offset` is on the first byte of an element (not whitespace). The common path per element: one
                // fast literal read, a store, and the ',' right after the literal.
                while true {
                    let literalEnd: Int
                    if offset <= fastPathLimit, let fast = JSONFloatLiteralFastPath.read(base, at: offset) {
                        // Finite, and not longer than the length limit (see `fastPathLimit`).
                        guard values.append(fast.value) else {
                            throw .at(offset, .tooLarge, "tensor has more than the limit of \(maxElements) elements")
                        }
                        // A fast literal ends at least two bytes before the end of the body (`window`), so the byte
                        // after it and the next one are read unchecked: a ',' right before the next literal (no
                        // whitespace, as orjson and JSONWriter write) goes straight on to it.
                        if base[fast.end] == UInt8(ascii: ",") && base[fast.end &+ 1] > 0x20 {
                            offset = fast.end &+ 1
                            continue
                        }
                        literalEnd = fast.end
                    } else {
                        guard offset < end else { throw truncatedTensor(at: offset) }
                        let byte = base[offset]
                        guard byte == UInt8(ascii: "-") || JSONNumberGrammar.isDigit(byte) else {
                            throw try unexpectedElement(at: offset, expecting: "a number", level: level)
                        }
                        let scanned = try JSONNumberGrammar.scan(base, start: offset, end: end)
                        if scanned.end &- offset > maxNumberLength {
                            position = offset
                            try checkNumberLength(start: offset, end: scanned.end)
                        }
                        let number = JSONNumberGrammar.float(scanned, base: base, start: offset)
                        literalEnd = scanned.end
                        guard number.isFinite else {
                            let literal = String(decoding: UnsafeBufferPointer(start: base + offset, count: literalEnd - offset), as: UTF8.self)
                            throw .at(offset, .invalid, "number \(literal) overflows float32")
                        }
                        guard values.append(number) else {
                            throw .at(offset, .tooLarge, "tensor has more than the limit of \(maxElements) elements")
                        }
                    }
                    offset = literalEnd
                    if offset < end && base[offset] == UInt8(ascii: ",") {
                        offset &+= 1
                    } else {
                        offset = Self.skipWhitespace(base, offset, end)
                        guard offset < end else { throw truncatedTensor(at: offset) }
                        guard base[offset] == UInt8(ascii: ",") else {
                            guard base[offset] == UInt8(ascii: "]") else {
                                throw .at(offset, .malformed, "invalid JSON: expected ',' or ']' in an array, found \(JSONNumberGrammar.describe(base[offset]))")
                            }
                            break
                        }
                        offset &+= 1
                    }
                    // Whitespace after the ',' (", " from Python's json.dumps) is skipped here, so that the next
                    // literal still takes the fast path; every whitespace byte is at most 0x20.
                    if offset < end && base[offset] <= 0x20 {
                        offset = Self.skipWhitespace(base, offset, end)
                    }
                }
                counts[innermost] = values.count &- rowStart
            }
            // `offset` is on the ']' closing `level`; close levels until another array opens.
            while true {
                let count = counts[level]
                if axisLengths[level] < 0 {
                    guard count > 0 else {
                        throw .at(openOffsets[level], .invalid, "empty tensor: an array at depth \(level + 1) has no elements")
                    }
                    axisLengths[level] = count
                    if level == innermost {
                        // Guess the total from the bytes the first row took, so the flat buffer is reserved once.
                        let bytesPerElement = max(1, (offset - openOffsets[level]) / count)
                        values.reserveCapacity(min(maxElements, count + (end - offset) / bytesPerElement))
                    }
                } else if count != axisLengths[level] {
                    throw .at(openOffsets[level], .invalid, "ragged array: an array at depth \(level + 1) has \(count) element\(count == 1 ? "" : "s"), expected \(axisLengths[level])")
                }
                counts[level] = 0
                offset += 1
                if level == 0 {
                    position = offset
                    return Tensor(shape: axisLengths, values: values.finish())
                }
                level -= 1
                counts[level] += 1
                offset = Self.skipWhitespace(base, offset, end)
                guard offset < end else { throw truncatedTensor(at: offset) }
                if base[offset] == UInt8(ascii: ",") {
                    offset = Self.skipWhitespace(base, offset + 1, end)
                    guard offset < end else { throw truncatedTensor(at: offset) }
                    guard base[offset] == UInt8(ascii: "[") else {
                        throw try unexpectedElement(at: offset, expecting: "an array", level: level)
                    }
                    level += 1
                    openOffsets[level] = offset
                    offset += 1
                    continue opening
                }
                guard base[offset] == UInt8(ascii: "]") else {
                    throw .at(offset, .malformed, "invalid JSON: expected ',' or ']' in an array, found \(JSONNumberGrammar.describe(base[offset]))")
                }
            }
        }
    }

    /// The error for a truncated tensor.
    private func truncatedTensor(at offset: Int) -> CodecError {
        .at(offset, .malformed, "truncated JSON: unexpected end of input inside a tensor")
    }

    /// The error for an element that cannot be where it is: another nesting depth than the first row is ragged,
    /// a string/boolean/null/object is `.invalid` once its own syntax checks out, anything else is `.malformed`.
    private mutating func unexpectedElement(at offset: Int, expecting expectation: String, level: Int) throws(CodecError) -> CodecError {
        position = offset
        let found: String
        switch base[offset] {
        case UInt8(ascii: "["):
            return .at(offset, .invalid, "ragged array: found an array at depth \(level + 2) where a number was expected")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .at(offset, .invalid, "ragged array: found a number at depth \(level + 2) where an array was expected")
        case UInt8(ascii: "\""):
            _ = try parseString()
            found = "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            found = try parseKeywordLiteral().typeDescription
        case UInt8(ascii: "{"):
            found = "an object"
        default:
            return unexpected(expecting: expectation)
        }
        return .at(offset, .invalid, "tensor elements must be numbers, found \(found)")
    }
}
