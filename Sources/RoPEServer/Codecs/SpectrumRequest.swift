import RoPE

/// A decoded `GET /spectrum` (query string) or `POST /spectrum` (JSON body) request.
struct SpectrumRequest {
    var dimension: Int
    var context: Int?
    /// The model's context (`max_position_embeddings`), read here as well as by the parameter decoder: the
    /// spectrum's default target context, and the original context of types whose block names none.
    var maxPositionEmbeddings: Int?
    var precisionPositions: [Int]?
    var parameters: RoPEParameters

    init(_ request: HTTPRequest, limits: ServerLimits) throws(HTTPError) {
        var fields: RequestFields
        if request.method == "POST" {
            _ = try BodyEncoding(of: request, allowsNPY: false)
            fields = try DecodedBody.json(request, tensorFields: [], limits: limits).fields
        } else {
            fields = try RequestFields(query: request.query)
        }
        guard let dimension = try fields.int("dim") else {
            throw .invalid("missing required field 'dim' (the head dimension)")
        }
        guard dimension > 0, dimension % 2 == 0 else {
            throw .invalid("'dim' must be a positive even integer (got \(dimension))")
        }
        guard dimension <= limits.maxDimension else {
            throw .tooLarge("'dim' \(dimension) is above the limit of \(limits.maxDimension) (max_dimension)")
        }
        self.dimension = dimension
        context = try fields.int("context")
        if let context {
            guard context > 0, context <= limits.maxPosition else {
                throw .invalid("'context' must be a positive integer <= \(limits.maxPosition) (max_position) "
                               + "(got \(context))")
            }
        }
        // Peeked, not consumed: RoPEParametersDecoder reads it again for the scaling types that need it.
        maxPositionEmbeddings = try fields.int("max_position_embeddings")
        precisionPositions = try Self.precisionPositions(&fields, dimension: dimension, limits: limits)
        parameters = try RoPEParametersDecoder.decode(&fields)
        try fields.rejectUnread()
    }

    /// `precision_positions`: a flat list, at most max_sequence_length entries, each within max_position, and
    /// entries x dim x 3 formats within max_tensor_elements: entries x dim/2 x 3 cos/sin pairs, the same work as
    /// the largest cos/sin table /frequencies builds.
    private static func precisionPositions(_ fields: inout RequestFields, dimension: Int,
                                           limits: ServerLimits) throws(HTTPError) -> [Int]? {
        guard let (positions, shape) = try fields.integerGrid("precision_positions") else { return nil }
        guard shape.count == 1 else {
            throw .invalid("'precision_positions' must be a flat list of integers (got shape \(shape))")
        }
        let (work, overflow) = positions.count.multipliedReportingOverflow(by: dimension * AngleFormat.allCases.count)
        guard positions.count <= limits.maxSequenceLength, !overflow, work <= limits.maxTensorElements else {
            throw .tooLarge("'precision_positions' has \(positions.count) entries, above the limit "
                            + "(max_sequence_length \(limits.maxSequenceLength), entries x dim x 3 <= "
                            + "max_tensor_elements \(limits.maxTensorElements))")
        }
        for position in positions where position.magnitude > UInt(limits.maxPosition) {
            throw .invalid("'precision_positions' contains \(position), beyond the position limit of "
                           + "±\(limits.maxPosition) (max_position)")
        }
        return positions
    }
}
