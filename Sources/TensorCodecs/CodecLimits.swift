/// Size limits the codecs enforce while decoding, so a hostile body fails fast with `CodecError.Kind.tooLarge`
/// instead of exhausting memory.
public struct CodecLimits: Sendable, Hashable {
    /// The maximum number of elements in one tensor field.
    public var maxTensorElements: Int = 1 << 26
    /// The maximum nesting of objects and arrays, counting the top-level object and tensor axes.
    public var maxNestingDepth: Int = 64
    /// The maximum number of characters in one number literal.
    public var maxNumberLength: Int = 512
    /// The maximum number of UTF-8 bytes in one decoded string (keys included).
    public var maxStringLength: Int = 1 << 16

    /// Creates limits with the safe defaults.
    public init() {}
}
