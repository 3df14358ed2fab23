/// Writes the brackets and commas of a row-major tensor's nested arrays; the caller writes each innermost row.
enum NestedArrayLayout {
    /// Writes `count` elements shaped by `shape`, calling `writeRow(buffer, firstIndex, length)` for every innermost
    /// row. The shape must describe exactly `count` elements (a programming error otherwise).
    static func write(count: Int, shape: [Int], to buffer: inout ResponseBuffer,
                      writeRow: (inout ResponseBuffer, Int, Int) -> Void) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == count,
                     "tensor shape \(shape) does not describe \(count) elements")
        guard let rowLength = shape.last else {
            writeRow(&buffer, 0, 1)
            return
        }
        if count == 0 {
            writeEmpty(shape: shape[...], to: &buffer)
            return
        }
        let rank = shape.count
        let rowCount = count / rowLength
        // indices[axis] is the position along each outer axis of the row being written.
        var indices = [Int](repeating: 0, count: rank - 1)
        for _ in 0..<rank { buffer.append(UInt8(ascii: "[")) }
        for row in 0..<rowCount {
            if row > 0 {
                // Close every axis the previous row finished, then reopen as many.
                var finished = 1
                var axis = rank - 2
                while axis >= 0 {
                    indices[axis] += 1
                    if indices[axis] < shape[axis] { break }
                    indices[axis] = 0
                    finished += 1
                    axis -= 1
                }
                for _ in 0..<finished { buffer.append(UInt8(ascii: "]")) }
                buffer.append(UInt8(ascii: ","))
                for _ in 0..<finished { buffer.append(UInt8(ascii: "[")) }
            }
            writeRow(&buffer, row * rowLength, rowLength)
        }
        for _ in 0..<rank { buffer.append(UInt8(ascii: "]")) }
    }

    /// A shape with a zero axis: arrays down to the first zero axis, which is `[]`.
    private static func writeEmpty(shape: ArraySlice<Int>, to buffer: inout ResponseBuffer) {
        buffer.append(UInt8(ascii: "["))
        if let length = shape.first, length > 0 {
            for index in 0..<length {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                writeEmpty(shape: shape.dropFirst(), to: &buffer)
            }
        }
        buffer.append(UInt8(ascii: "]"))
    }
}
