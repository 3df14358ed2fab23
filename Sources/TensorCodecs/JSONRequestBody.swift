import RoPE

/// A decoded JSON body: the tensor fields as flat float32 tensors, every other member as a JSON tree.
public struct JSONRequestBody: Sendable {
    /// The requested tensor fields that were present, by name.
    public var tensors: [String: Tensor]
    /// Every member that is not a tensor field, in document order.
    public var fields: JSONObject

    /// Creates a body from already decoded parts.
    public init(tensors: [String: Tensor] = [:], fields: JSONObject = JSONObject()) {
        self.tensors = tensors
        self.fields = fields
    }
}
