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
        try limits.checkPositions(values, field: field)
        if shape == [sequenceLength] { return .shared(values) }
        if shape == tokenShape { return .perRow(values) }
        let expected = tokenShape.count > 1 ? "[\(sequenceLength)] or \(tokenShape)" : "[\(sequenceLength)]"
        throw .invalid("'\(field)' has shape \(shape), expected \(expected) to match the tensor of shape "
                     + "\(tensorShape)")
    }

    /// 3-axis positions from `mropeField`, or from `bodyArray` (an integer array of a .npy body), nil when
    /// neither is there. They exclude `positionsField` and need an `mrope_section` in `parameters`. Shape [3, s]
    /// shared by every row, or [3, <the tensor's shape without its last axis>] one per token; axes t, h, w.
    static func decodeMultiAxis(_ fields: inout RequestFields, _ mropeField: String, alongside positionsField: String,
                                bodyArray: (values: [Int], shape: [Int])? = nil, forShape tensorShape: [Int],
                                parameters: RoPEParameters, limits: ServerLimits) throws(HTTPError) -> PositionGrid? {
        if bodyArray != nil && fields.contains(mropeField) {
            throw .invalid("'\(mropeField)' is given both in the .npy body and in the query string")
        }
        let array: (values: [Int], shape: [Int])?
        if let bodyArray { array = bodyArray } else { array = try fields.integerGrid(mropeField) }
        guard let (values, shape) = array else { return nil }  // absent or null
        guard !fields.contains(positionsField) else {
            throw .invalid("give either '\(positionsField)' or '\(mropeField)', not both")
        }
        guard parameters.mropeSection != nil else {
            throw .invalid("'\(mropeField)' needs an M-RoPE 'mrope_section' in the RoPE parameters")
        }
        let sequenceLength = Tensor.sequenceLength(ofShape: tensorShape)
        let tokenShape = Array(tensorShape.dropLast())
        let axisShape = Array(shape.dropFirst())
        let expected = tokenShape.count > 1 ? "[3, \(sequenceLength)] or \([3] + tokenShape)" : "[3, \(sequenceLength)]"
        guard shape.first == 3, axisShape == [sequenceLength] || axisShape == tokenShape else {
            throw .invalid("'\(mropeField)' has shape \(shape), expected \(expected) (t, h, w) to match the tensor of "
                         + "shape \(tensorShape)")
        }
        try limits.checkPositions(values, field: mropeField)
        let count = values.count / 3
        return .multiAxis(MRoPEPositions(temporal: Array(values[0..<count]), height: Array(values[count..<(2 * count)]),
                                         width: Array(values[(2 * count)...]), isPerRow: axisShape != [sequenceLength]))
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
