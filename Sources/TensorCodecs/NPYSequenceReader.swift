import RoPE

extension NPYReader {
    /// The byte ranges of the consecutive .npy arrays in `bytes`, one per field in order, as many as there are
    /// (at most `fields.count`; the last takes whatever remains, so extra bytes are reported when it is read).
    public static func arrayRanges(_ bytes: UnsafeRawBufferPointer,
                                   fields: [String]) throws(CodecError) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, field) in fields.enumerated() where start < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
            let length = index == fields.count - 1 ? rest.count : try arrayLength(rest, field: field)
            ranges.append(start..<(start + length))
            start += length
        }
        return ranges
    }

    /// Reads an int32 or int64 (little endian, C order) .npy array for `field`: its values and shape. The header is
    /// validated as `read` does; a data region of the wrong size is `.malformed`.
    public static func readIntegers(_ bytes: UnsafeRawBufferPointer, field: String,
                             limits: CodecLimits) throws(CodecError) -> (values: [Int], shape: [Int]) {
        do throws(CodecError) {
            let layout = try dataLayout(bytes, limits: limits, accepted: .integers)
            let data = UnsafeRawBufferPointer(rebasing: bytes[layout.header.dataOffset...])
            let values: [Int] = (0..<layout.elementCount).map { index in
                switch layout.header.elementType {
                case .int32: Int(Int32(littleEndian: data.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                default: Int(Int64(littleEndian: data.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
                }
            }
            return (values, layout.header.shape)
        } catch {
            throw error.locatedIn(field: field)
        }
    }

    /// Bytes taken by the array at the start of `bytes` (header plus data), clamped to what is there so that a
    /// truncated array is reported by `read`.
    private static func arrayLength(_ bytes: UnsafeRawBufferPointer, field: String) throws(CodecError) -> Int {
        let header: NPYHeader
        do throws(CodecError) {
            header = try NPYHeader.parse(bytes, accepted: .any)
        } catch {
            throw error.locatedIn(field: field)
        }
        var length = header.elementType.byteCount
        for axis in header.shape {
            let (product, overflow) = length.multipliedReportingOverflow(by: axis)
            guard !overflow else { return bytes.count }
            length = product
        }
        let (total, overflow) = header.dataOffset.addingReportingOverflow(length)
        return overflow ? bytes.count : min(total, bytes.count)
    }
}
