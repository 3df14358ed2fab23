import RoPE

/// A decoded `GET /spectrum` (query string) or `POST /spectrum` (JSON body) request.
struct SpectrumRequest {
    var dimension: Int
    var context: Int?
    /// The model's context (`max_position_embeddings`, top level or the config's): the default target context, and
    /// the original context of types whose block names none.
    var maxPositionEmbeddings: Int?
    var precisionPositions: [Int]?
    var parameters: RoPEParameters
    /// false for a config layer without RoPE (the spectrum is still answered, with `rope_applied: false`).
    var ropeApplied: Bool

    init(_ request: HTTPRequest, limits: ServerLimits) throws {
        var fields = try RequestFields(parametersOf: request, limits: limits)
        let rope = try RoPEParametersDecoder.decode(&fields)
        dimension = try rope.headDimension(&fields, limits: limits)
        context = try fields.int("context")
        if let context {
            guard context > 0, context <= limits.maxPosition else {
                throw HTTPError.invalid("'context' must be a positive integer <= \(limits.maxPosition) (max_position) "
                                      + "(got \(context))")
            }
        }
        precisionPositions = try Self.precisionPositions(&fields, dimension: dimension, limits: limits)
        maxPositionEmbeddings = rope.maxPositionEmbeddings
        parameters = rope.parameters
        ropeApplied = rope.ropeApplied
        // The context the spectrum falls back to obeys the limit an explicit 'context' does.
        if context == nil, let implied = maxPositionEmbeddings ?? parameters.scaling.originalContextLength,
           implied > limits.maxPosition {
            throw HTTPError.invalid("the default 'context' (max_position_embeddings, else the original context: "
                                  + "\(implied)) "
                           + "is beyond the position limit of \(limits.maxPosition) (max_position); give 'context'")
        }
        try fields.rejectUnread()
    }

    /// `precision_positions`: a flat list, at most max_sequence_length entries, each within max_position, and
    /// entries x dim x 3 formats within max_tensor_elements: entries x dim/2 x 3 cos/sin pairs, the same work as
    /// the largest cos/sin table /frequencies builds.
    private static func precisionPositions(_ fields: inout RequestFields, dimension: Int,
                                           limits: ServerLimits) throws(HTTPError) -> [Int]? {
        guard let (positions, shape) = try fields.integerGrid("precision_positions") else { return nil }
        guard shape.count == 1 else {
            throw HTTPError.invalid("'precision_positions' must be a flat list of integers (got shape \(shape))")
        }
        // Overflow-checked: the limits can be configured up to Int.max, and a trap would take the server down.
        let (perPosition, perPositionOverflow) = dimension.multipliedReportingOverflow(by: AngleFormat.allCases.count)
        let (work, overflow) = positions.count.multipliedReportingOverflow(by: perPosition)
        guard positions.count <= limits.maxSequenceLength, !perPositionOverflow, !overflow,
              work <= limits.maxTensorElements else {
            throw HTTPError.tooLarge("'precision_positions' has \(positions.count) entries, above the limit "
                                   + "(max_sequence_length \(limits.maxSequenceLength), entries x dim x 3 <= "
                                   + "max_tensor_elements \(limits.maxTensorElements))")
        }
        try limits.checkPositions(positions, field: "precision_positions")
        return positions
    }
}
