import RoPE

/// A decoded `GET /frequencies` (query string) or `POST /frequencies` (JSON body) request.
struct FrequenciesRequest {
    var dimension: Int
    var sequenceLength: Int?
    var position: Int?
    var parameters: RoPEParameters
    /// false for a config layer without RoPE (the table is still answered, with `rope_applied: false`).
    var ropeApplied: Bool

    init(_ request: HTTPRequest, limits: ServerLimits) throws {
        var fields = try RequestFields(parametersOf: request, limits: limits)
        let rope = try RoPEParametersDecoder.decode(&fields)
        let dimension = try rope.headDimension(&fields, limits: limits)
        self.dimension = dimension
        sequenceLength = try fields.int("seq_len")
        if let sequenceLength {
            guard sequenceLength > 0 else {
                throw HTTPError.invalid("'seq_len' must be a positive integer (got \(sequenceLength))")
            }
            let (cells, overflow) = sequenceLength.multipliedReportingOverflow(by: dimension)
            guard sequenceLength <= limits.maxSequenceLength, !overflow, cells <= limits.maxTensorElements else {
                throw HTTPError.tooLarge("'seq_len' \(sequenceLength) is above the limit (max_sequence_length "
                                       + "\(limits.maxSequenceLength), max_tensor_elements "
                                       + "\(limits.maxTensorElements))")
            }
        }
        position = try fields.int("position")
        if let position, position.magnitude > UInt(limits.maxPosition) {
            throw HTTPError.invalid("'position' \(position) is beyond the position limit of ±\(limits.maxPosition) "
                                  + "(max_position)")
        }
        parameters = rope.parameters
        ropeApplied = rope.ropeApplied
        try fields.rejectUnread()
    }
}
