/// A typed engine failure: what kind of failure, the input field at fault and a sentence saying what is wrong.
public struct RoPEError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of a failure: a bad value, inputs that do not fit together, or a size beyond a limit.
    public enum Kind: Sendable, Equatable {
        /// A parameter value outside its domain (odd dimension, factor <= 0, unknown name, ...).
        case invalidParameter
        /// Shapes or lengths that do not fit together (positions length, query/key shapes, values count).
        case shapeMismatch
        /// A size or position so large that arithmetic would overflow or exceed a built-in limit.
        case limitExceeded
    }

    /// The category of the failure.
    public var kind: Kind
    /// The input field at fault, spelled as transformers' config keys are, e.g. `rotary_dim` or
    /// `rope_scaling.factor`.
    public var field: String
    /// A full sentence that names the field and says what is wrong.
    public var message: String

    /// Creates an error of `kind` about `field` with a human-readable `message`.
    public init(_ kind: Kind, field: String, _ message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    /// The message, so that logs and `String(describing:)` show the sentence.
    public var description: String { message }
}
