import RoPE

extension NPYReader {
    /// Reads several .npy arrays written one after another into the same body (what `np.save(f, a); np.save(f, b)`
    /// produces), one per field, in order. Each array is validated as `read` does; bytes left over are `.malformed`.
    public static func readSequence(_ bytes: UnsafeRawBufferPointer, fields: [String],
                                    limits: CodecLimits) throws(CodecError) -> [Tensor] {
        var tensors: [Tensor] = []
        var start = 0
        for (index, field) in fields.enumerated() {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
            let isLast = index == fields.count - 1
            let length = isLast ? rest.count : try arrayLength(rest, field: field)
            tensors.append(try read(UnsafeRawBufferPointer(rebasing: rest[..<length]), field: field, limits: limits))
            start += length
        }
        return tensors
    }

    /// Bytes taken by the array at the start of `bytes` (header plus data), clamped to what is there so that a
    /// truncated array is reported by `read`.
    private static func arrayLength(_ bytes: UnsafeRawBufferPointer, field: String) throws(CodecError) -> Int {
        let header: NPYHeader
        do throws(CodecError) {
            header = try NPYHeader.parse(bytes)
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
