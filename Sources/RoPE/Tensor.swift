/// A dense float32 tensor in row-major order whose last axis holds the features of one token.
///
/// The last axis is the head dimension `d`, the one before it the sequence axis `s`; any leading
/// axes (batch, heads) are independent rows that share the sequence positions.
public struct Tensor: Sendable, Equatable {
    /// The extent of every axis; the last one is the feature axis.
    public var shape: [Int]
    /// The elements in row-major (C) order; `values.count` must equal the product of `shape`.
    public var values: [Float]

    /// Wraps a shape and its row-major values; consistency is checked by the engine entry points, which throw.
    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// The number of features per token (`shape.last`, 0 for an empty shape).
    public var featureCount: Int { Tensor.featureCount(ofShape: shape) }

    /// The number of tokens per row: `shape[count - 2]` for rank >= 2, else 1 (a rank-1 tensor is one token).
    public var sequenceLength: Int { Tensor.sequenceLength(ofShape: shape) }

    /// `featureCount` of a tensor of `shape` (for data that is not in a `Tensor`, such as a received .npy body).
    public static func featureCount(ofShape shape: [Int]) -> Int { shape.last ?? 0 }

    /// `sequenceLength` of a tensor of `shape`.
    public static func sequenceLength(ofShape shape: [Int]) -> Int { shape.count >= 2 ? shape[shape.count - 2] : 1 }

    /// The number of independent rows: the product of every axis before the sequence axis (1 for rank 1 and 2).
    ///
    /// Saturates at `Int.max` instead of trapping, because engine entry points reject such shapes anyway.
    public var rowCount: Int { Tensor.saturatingProduct(shape.dropLast(2)) }

    /// The product of `extents`, or `Int.max` when it overflows, so that a computed property can never trap.
    static func saturatingProduct<C: Collection<Int>>(_ extents: C) -> Int {
        var product = 1
        for extent in extents {
            let (next, overflow) = product.multipliedReportingOverflow(by: extent)
            if overflow { return Int.max }
            product = next
        }
        return product
    }
}
