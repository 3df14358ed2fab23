/// A small JSON tree (RFC 8259 values) for the non-tensor members of a body; tensors never go through it.
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, kept as its literal so integers and doubles are read without loss.
    case number(JSONNumber)
    /// A string with its escapes decoded.
    case string(String)
    /// An array in document order.
    case array([JSONValue])
    /// An object with its members in document order.
    case object(JSONObject)
}
