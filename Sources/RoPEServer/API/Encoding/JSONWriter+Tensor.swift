import RoPE
import TensorCodecs

/// What the responses write besides numbers and strings: lists of integers and tensors.
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
