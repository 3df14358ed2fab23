/// Writes JSON (RFC 8259) into a `ResponseBuffer`, placing commas itself: after a value or a closed container the
/// next value, key or container is preceded by ',', after an opening bracket or a key it is not.
public struct JSONWriter: ~Copyable {
    private var buffer: ResponseBuffer
    /// Whether the next value, key or container follows a sibling and so needs a comma first.
    private var needsComma = false

    /// Creates a writer whose buffer has room for `capacity` bytes before it has to grow.
    public init(capacity: Int) {
        buffer = ResponseBuffer(capacity: capacity)
    }

    @inline(__always)
    private mutating func separate() {
        if needsComma { buffer.append(UInt8(ascii: ",")) }
    }

    /// Writes `{`.
    public mutating func beginObject() {
        separate()
        buffer.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// Writes `}`.
    public mutating func endObject() {
        buffer.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Writes `"name":`; names are the caller's literals and are written as they are (no escaping needed).
    public mutating func key(_ name: StaticString) {
        separate()
        buffer.append(UInt8(ascii: "\""))
        buffer.append(name)
        buffer.append(StaticString("\":"))
        needsComma = false
    }

    /// Writes `[`.
    public mutating func beginArray() {
        separate()
        buffer.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// Writes `]`.
    public mutating func endArray() {
        buffer.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes a Double in its shortest round-trip form; a non-finite value becomes `null`.
    public mutating func value(_ v: Double) {
        separate()
        Self.writeDouble(v, to: &buffer)
        needsComma = true
    }

    /// Writes an integer.
    public mutating func value(_ v: Int) {
        separate()
        buffer.append(contentsOf: v.description)
        needsComma = true
    }

    /// Writes `true` or `false`.
    public mutating func value(_ v: Bool) {
        separate()
        buffer.append(v ? StaticString("true") : StaticString("false"))
        needsComma = true
    }

    /// Writes a string with quotes, backslashes and control characters escaped.
    public mutating func value(_ v: String) {
        separate()
        JSONStringEscaper.write(v, to: &buffer)
        needsComma = true
    }

    /// Writes `null`.
    public mutating func valueNull() {
        separate()
        buffer.append(StaticString("null"))
        needsComma = true
    }

    /// Writes a row-major float32 tensor as nested arrays, each number in its shortest round-trip form (Schubfach,
    /// Giulietti 2020); non-finite values become `null`. A rank-0 shape writes the single value.
    public mutating func tensor(_ values: UnsafeBufferPointer<Float>, shape: [Int]) {
        separate()
        // Typical float32 output averages ~11 bytes per number with its comma: grow once up front rather than
        // through a dozen reallocs that each copy everything written so far.
        buffer.reserveCapacity(forAdditional: values.count * 11 + 2 * shape.count + 64)
        NestedArrayLayout.write(count: values.count, shape: shape, to: &buffer) { buffer, start, length in
            // One reservation per row keeps the per-number work to formatting alone.
            buffer.reserveCapacity(
                forAdditional: length * (ShortestFloatFormatter.maxLength + 1) + ShortestFloatFormatter.scratchSlack)
            var tail = buffer.unsafeTail
            let first = tail
            // Every number is followed by a comma, and the row's last one is taken back: no per-number test (rows
            // are never empty; NestedArrayLayout writes shapes with a zero axis itself).
            for index in start..<(start + length) {
                tail += ShortestFloatFormatter.write(values[index], to: tail)
                tail[0] = UInt8(ascii: ",")
                tail += 1
            }
            buffer.commitTail(tail - first - 1)
        }
        needsComma = true
    }

    /// Writes row-major Doubles as nested arrays (e.g. inv_freq, or cos tables of shape [seq, r/2]);
    /// non-finite values become `null`.
    public mutating func doubles(_ values: [Double], shape: [Int]) {
        separate()
        NestedArrayLayout.write(count: values.count, shape: shape, to: &buffer) { buffer, start, length in
            for index in start..<(start + length) {
                if index != start { buffer.append(UInt8(ascii: ",")) }
                Self.writeDouble(values[index], to: &buffer)
            }
        }
        needsComma = true
    }

    /// Hands over the finished bytes.
    public consuming func finish() -> ResponseBuffer {
        buffer
    }

    /// Double.description is the shortest round-trip form and valid JSON for finite values ("1e-05" included);
    /// only infinities and NaN need replacing.
    private static func writeDouble(_ v: Double, to buffer: inout ResponseBuffer) {
        if v.isFinite {
            buffer.append(contentsOf: v.description)
        } else {
            buffer.append(StaticString("null"))
        }
    }
}
