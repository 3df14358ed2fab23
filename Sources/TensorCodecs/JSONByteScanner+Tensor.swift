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

    /// `skipWhitespace` as a call: inlined into `readFastRun`, its first test merges with the one before it
    /// into a longer sequence on the path of every literal, also when no whitespace follows.
    @inline(never)
    private static func skipWhitespaceOutOfLine(_ base: UnsafePointer<UInt8>, _ offset: Int, _ end: Int) -> Int {
        skipWhitespace(base, offset, end)
    }

    /// The longest literal, in bytes, that `readFastRun` reads with `CommaSearch`: float32 shortest forms are at
    /// most 15 bytes (`-1.1754944e-38`), the 17-digit Double forms of float32 values mostly 18 or more.
    private static let longLiteral = 16

    /// Reads literals from `start` for as long as each is one the fast path takes, starts at or before `limit`
    /// (so that the fast path's window of bytes is readable) and is followed by a ',', storing their values at
    /// `destination`, at most `capacity` of them; whitespace after each ',' is skipped.
    ///
    /// Returns how many values were stored and where reading stopped: on the first byte of an element not read
    /// (`afterLiteral` false; never whitespace), or just past the last literal stored when no ',' follows it
    /// (`afterLiteral` true: a ']', whitespace or an error, for the caller).
    ///
    /// A function of its own, not inlined, so that its loops keep their few values in registers instead of on
    /// the stack beside all of the tensor parser's. The comma search speeds up short literals but slows down
    /// 17-digit ones, so it is used for literals of up to `longLiteral` bytes, and a run switches loops when the
    /// length changes sides.
    @inline(never)
    private static func readFastRun(_ base: UnsafePointer<UInt8>, from start: Int, limit: Int, end: Int,
                                    into destination: UnsafeMutablePointer<Float>, capacity: Int)
        -> (count: Int, end: Int, afterLiteral: Bool)
    {
        var offset = start
        var count = 0
        while count < capacity && offset <= limit {
            // Short literals (float32 shortest forms, `-0.5492711`, `1.7291036e-05`): the loop is bound by the
            // chain of latencies from one literal's start to the next, so the next offset comes from
            // `CommaSearch` (a shorter chain), checked against the literal's end, not from that end itself.
            repeat {
                // The fast path's window covers the 32 bytes searched.
                let commaDistance = CommaSearch.distanceToFirstComma(base + offset)
                let comma = offset &+ commaDistance
                guard let literal = JSONFloatLiteralFastPath.read(base, at: offset) else {
                    return (count, offset, false)
                }
                destination[count] = literal.value
                count &+= 1
                // A literal holds no ',', so the first one is at its end exactly when one follows it directly.
                guard literal.end == comma else { return (count, literal.end, true) }
                // A fast literal ends at least two bytes before the end of the body (the fast path's window), so
                // the byte after the ',' is read unchecked.
                offset = comma &+ 1
                if base[offset] <= 0x20 {
                    offset = skipWhitespaceOutOfLine(base, offset, end)
                }
                if commaDistance > longLiteral { break }
            } while count < capacity && offset <= limit
            // Long literals (the 17-digit forms json.dumps writes for float32 data, `0.07513564825057983`): the
            // loop is bound by its instructions instead, and the search's dozen instructions per literal would cost
            // more than they save.
            while count < capacity && offset <= limit {
                guard let literal = JSONFloatLiteralFastPath.read(base, at: offset) else {
                    return (count, offset, false)
                }
                destination[count] = literal.value
                count &+= 1
                guard base[literal.end] == UInt8(ascii: ",") else { return (count, literal.end, true) }
                let isShort = literal.end &- offset <= longLiteral
                offset = literal.end &+ 1
                if base[offset] <= 0x20 {
                    offset = skipWhitespaceOutOfLine(base, offset, end)
                }
                if isShort { break }
            }
        }
        return (count, offset, false)
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
                // `offset` is on the first byte of an element (not whitespace).
                while true {
                    // The common path: a run of fast literals and ',' separators, stored straight into the
                    // collector's chunk. It stops on an element it does not take, or just past a literal that is
                    // not followed by ',' (the row's last).
                    let slots = values.freeSlots
                    let run = Self.readFastRun(base, from: offset, limit: fastPathLimit, end: end,
                                               into: slots.next, capacity: slots.count)
                    values.didStore(run.count)
                    offset = run.end
                    if !run.afterLiteral {
                        // An element the run did not take: a literal of another shape or too near the end of the
                        // body, one after a full chunk, or not a number at all.
                        let number: Float
                        let literalEnd: Int
                        if offset <= fastPathLimit, let fast = JSONFloatLiteralFastPath.read(base, at: offset) {
                            // Finite, and not longer than the length limit (see `fastPathLimit`).
                            (number, literalEnd) = fast
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
                            number = JSONNumberGrammar.float(scanned, base: base, start: offset)
                            literalEnd = scanned.end
                            guard number.isFinite else {
                                let literal = String(
                                    decoding: UnsafeBufferPointer(start: base + offset, count: literalEnd - offset),
                                    as: UTF8.self)
                                throw .at(offset, .invalid, "number \(literal) overflows float32")
                            }
                        }
                        guard values.append(number) else {
                            throw .at(offset, .tooLarge, "tensor has more than the limit of \(maxElements) elements")
                        }
                        offset = literalEnd
                    }
                    if offset < end && base[offset] == UInt8(ascii: ",") {
                        offset &+= 1
                    } else {
                        offset = Self.skipWhitespace(base, offset, end)
                        guard offset < end else { throw truncatedTensor(at: offset) }
                        guard base[offset] == UInt8(ascii: ",") else {
                            guard base[offset] == UInt8(ascii: "]") else {
                                throw .at(offset, .malformed, "invalid JSON: expected ',' or ']' in an array, found "
                                              + JSONNumberGrammar.describe(base[offset]))
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
                        throw .at(openOffsets[level], .invalid,
                                  "empty tensor: an array at depth \(level + 1) has no elements")
                    }
                    axisLengths[level] = count
                    if level == innermost {
                        // Guess the total from the bytes the first row took, so the flat buffer is reserved once.
                        let bytesPerElement = max(1, (offset - openOffsets[level]) / count)
                        values.reserveCapacity(min(maxElements, count + (end - offset) / bytesPerElement))
                    }
                } else if count != axisLengths[level] {
                    let elements = "\(count) element\(count == 1 ? "" : "s")"
                    throw .at(openOffsets[level], .invalid, "ragged array: an array at depth \(level + 1) has "
                                  + "\(elements), expected \(axisLengths[level])")
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
                    throw .at(offset, .malformed, "invalid JSON: expected ',' or ']' in an array, found "
                                  + JSONNumberGrammar.describe(base[offset]))
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
    private mutating func unexpectedElement(at offset: Int, expecting expectation: String, level: Int)
        throws(CodecError) -> CodecError
    {
        position = offset
        let found: String
        switch base[offset] {
        case UInt8(ascii: "["):
            return .at(offset, .invalid,
                       "ragged array: found an array at depth \(level + 2) where a number was expected")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .at(offset, .invalid,
                       "ragged array: found a number at depth \(level + 2) where an array was expected")
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
