/// The validated axis sizes of a tensor the engine is about to read: d, s, rows and tokens.
struct TensorGeometry: Sendable, Equatable {
    /// Features per token (d, the last axis); positive and even.
    let featureCount: Int
    /// Tokens per row (s); 1 for a rank-1 tensor.
    let sequenceLength: Int
    /// Independent rows (product of the leading axes).
    let rowCount: Int
    /// rowCount * s: every token of the tensor.
    let tokenCount: Int
    /// The leading axes (everything before the sequence axis; empty for rank 1 and 2).
    let leadingShape: [Int]

    /// Checks that `tensor` has rank >= 1, non-negative extents whose product fits Int and equals the number of
    /// values, and an even positive feature axis; errors name `field` (e.g. "embeddings", "queries").
    init(_ tensor: Tensor, field: String) throws(RoPEError) {
        try self.init(shape: tensor.shape, valueCount: tensor.values.count, field: field)
    }

    /// The same checks for `valueCount` values laid out as `shape` (a tensor that lives in a caller's buffer).
    init(shape: [Int], valueCount: Int, field: String) throws(RoPEError) {
        guard !shape.isEmpty else {
            throw RoPEError(.invalidParameter, field: field, "\(field) must have rank >= 1 (a scalar has no features)")
        }
        var elementCount = 1
        for extent in shape {
            guard extent >= 0 else {
                throw RoPEError(.invalidParameter, field: field, "\(field) has a negative axis length (\(extent))")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw RoPEError(.limitExceeded, field: field,
                                "\(field) shape \(shape) has more elements than Int can count")
            }
            elementCount = product
        }
        guard elementCount == valueCount else {
            throw RoPEError(.shapeMismatch, field: field,
                            "\(field) shape \(shape) needs \(elementCount) values but \(valueCount) were given")
        }
        let d = shape[shape.count - 1]
        guard d > 0, d % 2 == 0 else {
            throw RoPEError(.invalidParameter, field: field,
                            "\(field) head dimension (last axis, \(d)) must be a positive even number: features are "
                                + "rotated in pairs")
        }
        featureCount = d
        sequenceLength = shape.count >= 2 ? shape[shape.count - 2] : 1
        leadingShape = Array(shape.dropLast(2))
        // Both products divide elementCount (d > 0), so they cannot overflow.
        rowCount = leadingShape.reduce(1, *)
        tokenCount = rowCount * sequenceLength
    }
}
