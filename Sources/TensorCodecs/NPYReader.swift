import RoPE

/// Reads NumPy .npy files (format v1.0/2.0/3.0 of `numpy.lib.format`) holding little-endian, C-order float32 or
/// float64 tensors.
public enum NPYReader {
    /// Reads a float32 ('<f4') or float64 ('<f8', rounded to the nearest Float) tensor for `field`.
    ///
    /// The header is validated strictly; big endian, Fortran order and other dtypes are `.unsupported`;
    /// more elements than `limits.maxTensorElements` are `.tooLarge`; rank 0, zero elements, NaN, infinities and
    /// float64 values beyond float32's range are `.invalid`; a data region of the wrong size is `.malformed`.
    /// The data may sit at any alignment inside `bytes`, so it is only ever copied or loaded unaligned.
    public static func read(_ bytes: UnsafeRawBufferPointer, field: String, limits: CodecLimits) throws(CodecError)
        -> Tensor
    {
        do throws(CodecError) {
            let layout = try dataLayout(bytes, limits: limits)
            let data = UnsafeRawBufferPointer(rebasing: bytes[layout.header.dataOffset...])
            let count = layout.elementCount
            let values: [Float]
            switch layout.header.elementType {
            case .float32: values = try float32Values(data, count: count, dataOffset: layout.header.dataOffset)
            case .int32, .int64:
                throw .at(10, .unsupported, ".npy dtype is an integer type; send float32 ('<f4') or float64 ('<f8')")
            case .float64:
                var failure: CodecError?
                values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    // narrow writes every element before it reports the first bad one.
                    do throws(CodecError) {
                        try narrow(data, count: count, dataOffset: layout.header.dataOffset, into: buffer.baseAddress!)
                    } catch {
                        failure = error
                    }
                    initialized = count
                }
                if let failure { throw failure }
            }
            return Tensor(shape: layout.header.shape, values: values)
        } catch {
            throw error.locatedIn(field: field)
        }
    }

    /// A validated .npy file's header and element count, its data region checked to be exactly the right size.
    struct DataLayout {
        var header: NPYHeader
        var elementCount: Int
    }

    /// Parses and validates the header of the .npy file `bytes` (see `read`; errors are not yet located in a field).
    static func dataLayout(_ bytes: UnsafeRawBufferPointer, limits: CodecLimits,
                           accepted: NPYHeader.Accepted = .floats) throws(CodecError) -> DataLayout {
        let header = try NPYHeader.parse(bytes, accepted: accepted)
        let elementCount = try validatedElementCount(header, limits: limits)
        let dataLength = bytes.count - header.dataOffset
        let expectedLength = elementCount * header.elementType.byteCount
        guard dataLength >= expectedLength else {
            throw .at(bytes.count, .malformed,
                      "truncated .npy: shape \(header.shape) needs \(expectedLength) data bytes, found \(dataLength)")
        }
        guard dataLength == expectedLength else {
            throw .at(header.dataOffset + expectedLength, .malformed,
                      "invalid .npy: \(dataLength - expectedLength) trailing bytes after the data")
        }
        return DataLayout(header: header, elementCount: elementCount)
    }

    /// The error for a NaN or infinite float32 element `index` of data starting at `dataOffset`.
    static func nonFiniteError(_ value: Float, index: Int, dataOffset: Int) -> CodecError {
        .at(dataOffset + index * 4, .invalid,
            "element \(index) is \(value.isNaN ? "NaN" : "infinite"); tensors must be finite")
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
                throw .at(10, .tooLarge,
                          ".npy shape \(header.shape) has more than the limit of \(limits.maxTensorElements) elements")
            }
            count = product
        }
        guard count > 0 else {
            throw .at(10, .invalid, "empty tensor: .npy shape \(header.shape) has no elements")
        }
        return count
    }

    /// Copies float32 data (any alignment) into a new array and rejects NaN and infinities (see `copyFloat32`).
    private static func float32Values(_ data: UnsafeRawBufferPointer, count: Int, dataOffset: Int)
        throws(CodecError) -> [Float]
    {
        var failure: CodecError?
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            // copyFloat32 copies every element before it reports the first bad one.
            do throws(CodecError) {
                try copyFloat32(data, count: count, dataOffset: dataOffset,
                                into: UnsafeMutableRawPointer(buffer.baseAddress!))
            } catch {
                failure = error
            }
            initialized = count
        }
        if let failure { throw failure }
        return values
    }

    /// Copies `count` little-endian float32 values (any alignment) to `destination` and rejects NaN and infinities,
    /// in one pass: eight floats per step are loaded, stored and their exponent bits checked (all ones = NaN or
    /// infinity), so the check costs no second sweep over tens of megabytes; only when something was found does a
    /// scan locate the first one.
    static func copyFloat32(_ data: UnsafeRawBufferPointer, count: Int, dataOffset: Int,
                            into destination: UnsafeMutableRawPointer) throws(CodecError) {
        let source = data.baseAddress!
        let exponentBits = SIMD8<UInt32>(repeating: 0x7F80_0000)
        var nonFinite = SIMDMask<SIMD8<Int32>>(repeating: false)
        var sawNonFinite = false
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
        guard sawNonFinite || any(nonFinite) else { return }
        let copied = UnsafeBufferPointer(start: destination.bindMemory(to: Float.self, capacity: count), count: count)
        if let first = NonFiniteScan.firstIndex(in: copied) {
            throw nonFiniteError(copied[first], index: first, dataOffset: dataOffset)
        }
    }

    /// Loads `count` float64 values (any alignment) and writes each rounded to the nearest Float at `destination`;
    /// values beyond float32, NaN and infinities are rejected.
    static func narrow(_ data: UnsafeRawBufferPointer, count: Int, dataOffset: Int,
                       into destination: UnsafeMutablePointer<Float>) throws(CodecError) {
        var firstBad = -1
        for index in 0..<count {
            let bits = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            let rounded = Float(Double(bitPattern: bits))
            if !rounded.isFinite && firstBad < 0 { firstBad = index }
            destination[index] = rounded
        }
        if firstBad >= 0 {
            let bits = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: firstBad * 8, as: UInt64.self))
            let original = Double(bitPattern: bits)
            let reason = original.isNaN ? "NaN"
                : original.isInfinite ? "infinite" : "\(original), beyond the float32 range"
            throw .at(dataOffset + firstBad * 8, .invalid,
                      "element \(firstBad) is \(reason); tensors must be finite float32")
        }
    }
}
