import RoPE

/// Turns a `positions`-style field into the engine's `PositionGrid` for a given tensor.
enum PositionsDecoder {
    /// Reads `field` (absent = 0..<s): a list of length s shared by every row, or the tensor's full shape
    /// without its last axis (one position per token). Rank-1 tensors are one token, so a one-element list.
    static func decode(_ fields: inout RequestFields, _ field: String, for tensor: Tensor,
                       limits: ServerLimits) throws(HTTPError) -> PositionGrid {
        try decode(&fields, field, forShape: tensor.shape, limits: limits)
    }

    /// The same for a tensor of `tensorShape` whose values are not in a `Tensor` (a .npy body rotated in place).
    static func decode(_ fields: inout RequestFields, _ field: String, forShape tensorShape: [Int],
                       limits: ServerLimits) throws(HTTPError) -> PositionGrid {
        guard let (values, shape) = try fields.integerGrid(field) else { return .sequential }
        let sequenceLength = Tensor.sequenceLength(ofShape: tensorShape)
        let tokenShape = Array(tensorShape.dropLast())
        for value in values where value.magnitude > UInt(limits.maxPosition) {
            throw .invalid("'\(field)' contains \(value), beyond the position limit of ±\(limits.maxPosition) (max_position)")
        }
        if shape == [sequenceLength] { return .shared(values) }
        if shape == tokenShape { return .perRow(values) }
        let expected = tokenShape.count > 1 ? "[\(sequenceLength)] or \(tokenShape)" : "[\(sequenceLength)]"
        throw .invalid("'\(field)' has shape \(shape), expected \(expected) to match the tensor of shape \(tensorShape)")
    }

    /// Reads an integer offset and checks it against the position limit.
    static func offset(_ fields: inout RequestFields, limits: ServerLimits) throws(HTTPError) -> Int {
        guard let offset = try fields.int("offset") else { return 0 }
        guard offset.magnitude <= UInt(limits.maxPosition) else {
            throw .invalid("'offset' \(offset) is beyond the position limit of ±\(limits.maxPosition) (max_position)")
        }
        return offset
    }
}
