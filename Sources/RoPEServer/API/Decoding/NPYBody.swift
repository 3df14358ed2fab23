import RoPE
import TensorCodecs

/// Tensors from a .npy request body, read with the server's limits.
enum NPYBody {
    /// The byte ranges of the consecutive arrays of a .npy body, one per field at most.
    static func arrayRanges(_ body: borrowing ResponseBuffer, fields: [String]) throws(CodecError) -> [Range<Int>] {
        try body.withUnsafeBytes { bytes throws(CodecError) in try NPYReader.arrayRanges(bytes, fields: fields) }
    }

    /// The same for a body in the request's memory.
    static func arrayRanges(_ bytes: UnsafeRawBufferPointer, fields: [String]) throws(CodecError) -> [Range<Int>] {
        try NPYReader.arrayRanges(bytes, fields: fields)
    }

    /// The integer array at `range` of a .npy body (3-axis positions), values and shape.
    static func integers(_ body: borrowing ResponseBuffer, range: Range<Int>, field: String,
                         limits: ServerLimits) throws(CodecError) -> (values: [Int], shape: [Int]) {
        try body.withUnsafeBytes { bytes throws(CodecError) in
            try integers(UnsafeRawBufferPointer(rebasing: bytes[range]), field: field, limits: limits)
        }
    }

    /// The integer array in `bytes` (one whole .npy array), values and shape.
    static func integers(_ bytes: UnsafeRawBufferPointer, field: String,
                         limits: ServerLimits) throws(CodecError) -> (values: [Int], shape: [Int]) {
        try NPYReader.readIntegers(bytes, field: field, limits: limits.codecLimits)
    }

    /// The float tensor in `bytes` (one whole .npy array).
    static func tensor(_ bytes: UnsafeRawBufferPointer, field: String,
                       limits: ServerLimits) throws(CodecError) -> Tensor {
        try NPYReader.read(bytes, field: field, limits: limits.codecLimits)
    }

    /// The float32 array that is the whole of `body`, adopted to be rotated in place.
    static func file(adopting body: consuming ResponseBuffer, field: String,
                     limits: ServerLimits) throws(CodecError) -> NPYFloat32File {
        try NPYFloat32File(adopting: body, field: field, limits: limits.codecLimits)
    }
}
