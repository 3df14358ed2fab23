import RoPE
import TensorCodecs

extension HTTPResponse {
    /// A float32 .npy response of a tensor, with extra headers.
    static func npy(_ tensor: Tensor, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        // withUnsafeBufferPointer cannot return a non-copyable value, so the buffer leaves through an Optional.
        var buffer: ResponseBuffer?
        tensor.values.withUnsafeBufferPointer { buffer = NPYWriter.write($0, shape: tensor.shape) }
        return HTTPResponse(contentType: "application/x-npy", headers: headers, body: buffer.take()!)
    }
}
