#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON number kept as its exact literal, converted on demand.
public struct JSONNumber: Sendable, Equatable {
    /// The exact text of the literal, e.g. `1e3`, `-7`, `0.5`.
    public let literal: String

    /// Wraps `literal` when it is a number under the RFC 8259 grammar, else nil.
    public init?(literal: String) {
        let utf8 = Array(literal.utf8)
        let valid = utf8.withUnsafeBufferPointer { JSONNumberGrammar.isValidLiteral($0) }
        guard valid else { return nil }
        self.literal = literal
    }

    /// Wraps a literal the parser has already checked against the grammar.
    init(validatedLiteral: String) {
        literal = validatedLiteral
    }

    /// The nearest Double to the literal, exactly as strtod rounds it (overflow gives an infinity).
    public var doubleValue: Double {
        literal.withCString { strtod($0, nil) }
    }

    /// The value as an Int when the literal is an integer (no fraction, no exponent) that fits in Int.
    public var integerValue: Int? {
        isInteger ? Int(literal) : nil
    }

    /// Whether the literal has no fraction and no exponent (it may still be out of Int range).
    public var isInteger: Bool {
        !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }
}
