import RoPE
import TensorCodecs

/// Reading a .npy request body the server holds as a buffer (/rotate's, rotated in place), with the server's limits.
enum NPYBody {
    /// The byte ranges of the consecutive arrays of a .npy body, one per field at most.
    static func arrayRanges(_ body: borrowing ResponseBuffer, fields: [String]) throws(CodecError) -> [Range<Int>] {
        try body.withUnsafeBytes { bytes throws(CodecError) in try NPYReader.arrayRanges(bytes, fields: fields) }
    }

    /// The integer array at `range` of a .npy body (3-axis positions), values and shape.
    static func integers(_ body: borrowing ResponseBuffer, range: Range<Int>, field: String,
                         limits: ServerLimits) throws(CodecError) -> (values: [Int], shape: [Int]) {
        try body.withUnsafeBytes { bytes throws(CodecError) in
            try NPYReader.readIntegers(UnsafeRawBufferPointer(rebasing: bytes[range]), field: field,
                                       limits: limits.codecLimits)
        }
    }
}
