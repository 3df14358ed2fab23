/// A decoding failure of a request body, carrying the HTTP status class, the field and the byte offset.
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is, which decides the HTTP status.
    public enum Kind: Sendable, Equatable {
        /// HTTP 400: not JSON / not .npy (syntax, truncated, invalid UTF-8, trailing garbage, duplicate key).
        case malformed
        /// HTTP 422: valid syntax that breaks the contract (ragged, non-number in a tensor, overflow, empty tensor).
        case invalid
        /// HTTP 413: an element, nesting depth, number length or string length limit was exceeded.
        case tooLarge
        /// HTTP 415: an .npy dtype other than float32/float64, big endian data or Fortran order.
        case unsupported
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The field the problem is in, e.g. `embeddings` or `rope_scaling.factor`; nil outside any field.
    public var field: String?
    /// The byte offset in the body where the problem was found.
    public var offset: Int?
    /// A full sentence naming the field and the position.
    public var message: String

    /// Creates an error from its parts; `message` should already name the field and the position.
    public init(kind: Kind, field: String? = nil, offset: Int? = nil, message: String) {
        self.kind = kind
        self.field = field
        self.offset = offset
        self.message = message
    }

    /// The message, so that logging the error prints the sentence.
    public var description: String { message }
}

extension CodecError {
    /// An error found at `offset` whose field is not known yet at the throw site; `locatedIn(field:)` adds it.
    static func at(_ offset: Int, _ kind: Kind, _ detail: String) -> CodecError {
        CodecError(kind: kind, field: nil, offset: offset, message: "\(detail) at byte \(offset)")
    }

    /// The same error attributed to `field`, prefixing the message with it unless a field was already attached
    /// (the innermost attribution is the most precise one).
    func locatedIn(field: String?) -> CodecError {
        guard let field, self.field == nil else { return self }
        var located = self
        located.field = field
        located.message = "\(field): \(message)"
        return located
    }
}
