import Foundation
/// Writes NumPy .npy files (`numpy.lib.format`) holding little-endian, C-order float32 tensors.
public enum NPYWriter {
    /// Writes a float32 '<f4' C-order .npy v1.0 (header padded with spaces to a multiple of 64 bytes, ending in
    /// '\n', as numpy writes it); v2.0 only if a header could ever exceed 65535 bytes.
    public static func write(_ values: UnsafeBufferPointer<Float>, shape: [Int]) -> ResponseBuffer {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count,
                     "tensor shape \(shape) does not describe \(values.count) elements")
        let header = header(shape: shape)
        var buffer = ResponseBuffer(capacity: header.count + values.count * 4)
        header.withUnsafeBytes { buffer.append($0) }
        #if _endian(little)
        buffer.append(UnsafeRawBufferPointer(values))
        #else
        for value in values {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer.append($0) }
        }
        #endif
        return buffer
    }

    /// The bytes before the data of a float32 C-order .npy file of `shape`: magic, version, header length and the
    /// dict, padded so the data starts at a multiple of 64 bytes.
    static func header(shape: [Int]) -> [UInt8] {
        // numpy's spelling: "()" for a scalar, "(3,)" for one axis, "(2, 3)" for more.
        let axes = shape.map(String.init).joined(separator: ", ")
        let tuple = shape.count == 1 ? "(\(axes),)" : "(\(axes))"
        let dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': \(tuple), }"
        var isVersion2 = false
        var preambleLength = 10
        var headerLength = paddedHeaderLength(dictionary.utf8.count, preambleLength: preambleLength)
        if headerLength > Int(UInt16.max) {
            isVersion2 = true
            preambleLength = 12
            headerLength = paddedHeaderLength(dictionary.utf8.count, preambleLength: preambleLength)
        }
        var bytes = NPYHeader.magic
        bytes.reserveCapacity(preambleLength + headerLength)
        bytes.append(isVersion2 ? 2 : 1)
        bytes.append(0)
        for byteIndex in 0..<(isVersion2 ? 4 : 2) {
            bytes.append(UInt8(truncatingIfNeeded: headerLength >> (8 * byteIndex)))
        }
        bytes.append(contentsOf: dictionary.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: headerLength - dictionary.utf8.count - 1))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The header length (dict, padding and '\n') that makes the data start at a multiple of 64 bytes.
    private static func paddedHeaderLength(_ dictionaryLength: Int, preambleLength: Int) -> Int {
        let unpadded = preambleLength + dictionaryLength + 1
        let padded = (unpadded + 63) / 64 * 64
        return padded - preambleLength
    }
}
