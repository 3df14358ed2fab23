import RoPE

/// Reads NumPy .npy files (v1.0/2.0/3.0) holding little-endian, C-order float32 or float64 tensors.
public enum NPYReader {
    /// Reads a float32 ('<f4') or float64 ('<f8', rounded to the nearest Float) tensor for `field`.
    ///
    /// The header is validated strictly; big endian, Fortran order and other dtypes are `.unsupported`;
    /// more elements than `limits.maxTensorElements` are `.tooLarge`; rank 0, zero elements, NaN, infinities and
    /// float64 values beyond float32's range are `.invalid`; a data region of the wrong size is `.malformed`.
    /// The data may sit at any alignment inside `bytes`, so it is only ever copied or loaded unaligned.
    public static func read(_ bytes: UnsafeRawBufferPointer, field: String, limits: CodecLimits) throws(CodecError) -> Tensor {
        do throws(CodecError) {
            let header = try NPYHeader.parse(bytes)
            let elementCount = try validatedElementCount(header, limits: limits)
            let dataLength = bytes.count - header.dataOffset
            let expectedLength = elementCount * header.elementType.byteCount
            guard dataLength >= expectedLength else {
                throw .at(bytes.count, .malformed, "truncated .npy: shape \(header.shape) needs \(expectedLength) data bytes, found \(dataLength)")
            }
            guard dataLength == expectedLength else {
                throw .at(header.dataOffset + expectedLength, .malformed, "invalid .npy: \(dataLength - expectedLength) trailing bytes after the data")
            }
            let data = UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset...])
            let values: [Float]
            switch header.elementType {
            case .float32: values = try float32Values(data, count: elementCount, dataOffset: header.dataOffset)
            case .float64: values = try float64Values(data, count: elementCount, dataOffset: header.dataOffset)
            }
            return Tensor(shape: header.shape, values: values)
        } catch {
            throw error.locatedIn(field: field)
        }
    }

    /// The product of the shape, overflow-checked against the element limit.
    private static func validatedElementCount(_ header: NPYHeader, limits: CodecLimits) throws(CodecError) -> Int {
        guard !header.shape.isEmpty else {
            throw .at(10, .invalid, ".npy array is a scalar (shape ()); a tensor needs at least one axis")
        }
        var count = 1
        for axis in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: axis)
            guard !overflow, product <= limits.maxTensorElements else {
                throw .at(10, .tooLarge, ".npy shape \(header.shape) has more than the limit of \(limits.maxTensorElements) elements")
            }
            count = product
        }
        guard count > 0 else {
            throw .at(10, .invalid, "empty tensor: .npy shape \(header.shape) has no elements")
        }
        return count
    }

    /// Copies float32 data (any alignment) and rejects NaN and infinities, in one pass: eight floats per step are
    /// loaded, stored and their exponent bits checked (all ones = NaN or infinity), so the check costs no second
    /// sweep over tens of megabytes; only when something was found does a scalar scan locate the first one.
    private static func float32Values(_ data: UnsafeRawBufferPointer, count: Int, dataOffset: Int) throws(CodecError) -> [Float] {
        var sawNonFinite = false
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let source = data.baseAddress!
            let destination = UnsafeMutableRawPointer(buffer.baseAddress!)
            let exponentBits = SIMD8<UInt32>(repeating: 0x7F80_0000)
            var nonFinite = SIMDMask<SIMD8<Int32>>(repeating: false)
            var index = 0
            while index + 8 <= count {
                let loaded = source.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<UInt32>.self)
                #if _endian(big)
                let bits = SIMD8<UInt32>((0..<8).map { UInt32(littleEndian: loaded[$0]) })
                #else
                let bits = loaded
                #endif
                destination.storeBytes(of: bits, toByteOffset: index * 4, as: SIMD8<UInt32>.self)
                nonFinite .|= (bits & exponentBits) .== exponentBits
                index += 8
            }
            while index < count {
                let bits = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                destination.storeBytes(of: bits, toByteOffset: index * 4, as: UInt32.self)
                if bits & 0x7F80_0000 == 0x7F80_0000 { sawNonFinite = true }
                index += 1
            }
            sawNonFinite = sawNonFinite || any(nonFinite)
            initialized = count
        }
        if sawNonFinite, let index = values.firstIndex(where: { !$0.isFinite }) {
            throw .at(dataOffset + index * 4, .invalid, "element \(index) is \(values[index].isNaN ? "NaN" : "infinite"); tensors must be finite")
        }
        return values
    }

    /// Loads float64 data unaligned and rounds each value to the nearest Float; values beyond float32 are rejected.
    private static func float64Values(_ data: UnsafeRawBufferPointer, count: Int, dataOffset: Int) throws(CodecError) -> [Float] {
        var firstBad = -1
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                let bits = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                let rounded = Float(Double(bitPattern: bits))
                if !rounded.isFinite && firstBad < 0 { firstBad = index }
                buffer[index] = rounded
            }
            initialized = count
        }
        if firstBad >= 0 {
            let original = Double(bitPattern: UInt64(littleEndian: data.loadUnaligned(fromByteOffset: firstBad * 8, as: UInt64.self)))
            let reason = original.isNaN ? "NaN" : original.isInfinite ? "infinite" : "\(original), beyond the float32 range"
            throw .at(dataOffset + firstBad * 8, .invalid, "element \(firstBad) is \(reason); tensors must be finite float32")
        }
        return values
    }
}
