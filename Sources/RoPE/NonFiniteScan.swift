/// Finds NaN and infinities in float32 data at memory speed.
///
/// A float32 is NaN or infinite exactly when its eight exponent bits are all ones (IEEE 754-2008, 3.4). The scan
/// tests eight values per step on their bit patterns and only looks at single values inside the block of 1024
/// where something was found, so checking a 33 MB tensor is one read of it.
public enum NonFiniteScan {
    /// The index of the first NaN or infinity in `values`, or nil when every value is finite.
    public static func firstIndex(in values: UnsafeBufferPointer<Float>) -> Int? {
        guard let base = values.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let exponentBits = SIMD8<UInt32>(repeating: 0x7F80_0000)
        let blockLength = 1024
        var blockStart = 0
        while blockStart < values.count {
            let blockEnd = min(blockStart + blockLength, values.count)
            var found = SIMDMask<SIMD8<Int32>>(repeating: false)
            var index = blockStart
            while index + 8 <= blockEnd {
                let bits = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<UInt32>.self)
                found .|= (bits & exponentBits) .== exponentBits
                index += 8
            }
            var tailFound = false
            while index < blockEnd {
                if !values[index].isFinite { tailFound = true }
                index += 1
            }
            if any(found) || tailFound {
                return (blockStart..<blockEnd).first { !values[$0].isFinite }
            }
            blockStart = blockEnd
        }
        return nil
    }
}
