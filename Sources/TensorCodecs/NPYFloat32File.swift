import RoPE

/// A float32 .npy file in memory that this process owns and may change: the header `NPYWriter` writes, then the
/// values at a 64-byte boundary.
///
/// Made from a received .npy body. When the body is float32 with a header of the same length as ours (numpy's own
/// files are: both pad to 64 bytes), the body's memory itself becomes the file, so the caller changes the values
/// where they landed and sends the same memory back: no copy of a 33 MB tensor in either direction. Otherwise
/// (float64, another header length, a big-endian host) the values are copied, float64 narrowed, into a new buffer.
public struct NPYFloat32File: ~Copyable {
    private var buffer: ResponseBuffer
    /// The tensor's shape.
    public let shape: [Int]
    /// The number of values.
    public let elementCount: Int
    private let dataOffset: Int

    /// Validates `body` as `NPYReader.read` does (same errors, positions and limits; NaN and infinities rejected)
    /// and takes it over, or copies its values when it cannot be used as it is.
    public init(adopting body: consuming ResponseBuffer, field: String, limits: CodecLimits) throws(CodecError) {
        do throws(CodecError) {
            let layout = try body.withUnsafeBytes { bytes throws(CodecError) in
                try NPYReader.dataLayout(bytes, limits: limits)
            }
            let header = NPYWriter.header(shape: layout.header.shape)
            let count = layout.elementCount
            let sourceOffset = layout.header.dataOffset
            var isUsableAsItIs = layout.header.elementType == .float32 && sourceOffset == header.count
            #if _endian(big)
            isUsableAsItIs = false
            #endif
            if isUsableAsItIs {
                try body.withUnsafeMutableBytes { bytes throws(CodecError) in
                    let values = Self.values(in: bytes, at: sourceOffset, count: count)
                    if let first = NonFiniteScan.firstIndex(in: UnsafeBufferPointer(values)) {
                        throw NPYReader.nonFiniteError(values[first], index: first, dataOffset: sourceOffset)
                    }
                    header.withUnsafeBytes { bytes.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                }
                buffer = body
            } else {
                var copy = ResponseBuffer(capacity: header.count + count * 4)
                header.withUnsafeBytes { copy.append($0) }
                copy.appendUninitialized(count * 4)
                try body.withUnsafeBytes { source throws(CodecError) in
                    let data = UnsafeRawBufferPointer(rebasing: source[sourceOffset...])
                    try copy.withUnsafeMutableBytes { destination throws(CodecError) in
                        let values = Self.values(in: destination, at: header.count, count: count)
                        switch layout.header.elementType {
                        case .float32:
                            try NPYReader.copyFloat32(data, count: count, dataOffset: sourceOffset,
                                                      into: UnsafeMutableRawPointer(values.baseAddress!))
                        case .float64:
                            try NPYReader.narrow(data, count: count, dataOffset: sourceOffset,
                                                 into: values.baseAddress!)
                        case .int32, .int64:
                            throw .at(10, .unsupported,
                                      ".npy dtype is an integer type; send float32 ('<f4') or float64 ('<f8')")
                        }
                    }
                }
                buffer = copy
            }
            shape = layout.header.shape
            elementCount = count
            dataOffset = header.count
        } catch {
            throw error.locatedIn(field: field)
        }
    }

    /// Calls `body` with the values, to read or change them in place.
    public mutating func withValues<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        let (offset, count) = (dataOffset, elementCount)
        return try buffer.withUnsafeMutableBytes { bytes throws(E) in
            try body(Self.values(in: bytes, at: offset, count: count))
        }
    }

    /// The finished .npy file, to send back.
    public consuming func finish() -> ResponseBuffer {
        buffer
    }

    /// The `count` floats at byte `offset` of `bytes` (a multiple of 64 into malloc'd memory, so aligned).
    private static func values(in bytes: UnsafeMutableRawBufferPointer, at offset: Int, count: Int)
        -> UnsafeMutableBufferPointer<Float>
    {
        let start = (bytes.baseAddress! + offset).bindMemory(to: Float.self, capacity: count)
        return UnsafeMutableBufferPointer(start: start, count: count)
    }
}
