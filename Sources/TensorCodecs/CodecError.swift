/// A decoding failure of a JSON or .npy body: what kind of failure, the field it is in and the byte offset.
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is: broken syntax, a well-formed value that breaks the rules, a size limit, or
    /// an .npy format the readers do not take.
    public enum Kind: Sendable, Equatable {
        /// Not JSON / not .npy: broken syntax, truncated input, invalid UTF-8, trailing garbage, a duplicate key.
        case malformed
        /// Well-formed, but not a valid value: a ragged or empty tensor, a non-number in a tensor, a number beyond
        /// float32.
        case invalid
        /// A `CodecLimits` limit exceeded: tensor elements, nesting depth, number length or string length.
        case tooLarge
        /// An .npy file the readers do not take: another dtype than float32/float64 (int32/int64 for positions),
        /// big endian data or Fortran order.
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
