import RoPE
import TensorCodecs

/// Helpers shared by the handlers for writing results as JSON or .npy.
extension JSONWriter {
    /// Writes `[a, b, ...]` of integers.
    mutating func integers(_ values: [Int]) {
        beginArray()
        for number in values { value(number) }
        endArray()
    }

    /// Writes a tensor's values as nested arrays of its shape.
    mutating func tensor(_ tensor: Tensor) {
        tensor.values.withUnsafeBufferPointer { self.tensor($0, shape: tensor.shape) }
    }
}

extension HTTPResponse {
    /// A float32 .npy response of a tensor, with extra headers.
    static func npy(_ tensor: Tensor, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        // withUnsafeBufferPointer cannot return a non-copyable value, so the buffer leaves through an Optional.
        var buffer: ResponseBuffer?
        tensor.values.withUnsafeBufferPointer { buffer = NPYWriter.write($0, shape: tensor.shape) }
        return HTTPResponse(contentType: "application/x-npy", headers: headers, body: buffer.take()!)
    }
}
