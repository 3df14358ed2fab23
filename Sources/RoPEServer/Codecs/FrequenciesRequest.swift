import RoPE

/// A decoded `GET /frequencies` (query string) or `POST /frequencies` (JSON body) request.
struct FrequenciesRequest {
    var dimension: Int
    var sequenceLength: Int?
    var position: Int?
    var parameters: RoPEParameters

    init(_ request: HTTPRequest, limits: ServerLimits) throws(HTTPError) {
        var fields: RequestFields
        if request.method == "POST" {
            _ = try BodyEncoding(of: request, allowsNPY: false)
            fields = try DecodedBody.json(request, tensorFields: [], limits: limits).fields
        } else {
            fields = try RequestFields(query: request.query)
        }
        guard let dimension = try fields.int("dim") else { throw .invalid("missing required field 'dim' (the head dimension)") }
        guard dimension > 0, dimension % 2 == 0 else { throw .invalid("'dim' must be a positive even integer (got \(dimension))") }
        guard dimension <= limits.maxDimension else {
            throw .tooLarge("'dim' \(dimension) is above the limit of \(limits.maxDimension) (max_dimension)")
        }
        self.dimension = dimension
        sequenceLength = try fields.int("seq_len")
        if let sequenceLength {
            guard sequenceLength > 0 else { throw .invalid("'seq_len' must be a positive integer (got \(sequenceLength))") }
            let (cells, overflow) = sequenceLength.multipliedReportingOverflow(by: dimension)
            guard sequenceLength <= limits.maxSequenceLength, !overflow, cells <= limits.maxTensorElements else {
                throw .tooLarge("'seq_len' \(sequenceLength) is above the limit (max_sequence_length \(limits.maxSequenceLength), max_tensor_elements \(limits.maxTensorElements))")
            }
        }
        position = try fields.int("position")
        if let position, position.magnitude > UInt(limits.maxPosition) {
            throw .invalid("'position' \(position) is beyond the position limit of ±\(limits.maxPosition) (max_position)")
        }
        parameters = try RoPEParametersDecoder.decode(&fields)
        try fields.rejectUnread()
        try Self.requireFiniteResponse(parameters: parameters, dimension: dimension, sequenceLength: sequenceLength,
                                       position: position)
    }

    /// Refuses (422) parameters whose response would hold a number JSON cannot carry: a wavelength 2 pi / inv_freq,
    /// an angle position x inv_freq or a cos/sin entry times the attention factor beyond the double or float32 range
    /// (e.g. `factor=1e308`, `rope_theta=1e-308` with a far `position`, `attention_factor=1e300` with `seq_len`).
    /// Without this check they came back as `null` in a 200.
    static func requireFiniteResponse(parameters: RoPEParameters, dimension: Int, sequenceLength: Int?,
                                      position: Int?) throws(HTTPError) {
        let table: FrequencyTable
        do {
            table = try FrequencyTable(parameters: parameters, headDimension: dimension, sequenceLength: sequenceLength)
        } catch {
            throw HTTPError(error)
        }
        guard let smallest = table.inverseFrequencies.min(), let largest = table.inverseFrequencies.max() else { return }
        guard (2 * Double.pi / smallest).isFinite else {
            throw .invalid("the inverse frequency \(smallest) (from 'rope_theta' and the scaling parameters) is too small: its wavelength 2 pi / inv_freq overflows")
        }
        if let position, !(Double(position.magnitude) * largest).isFinite {
            throw .invalid("'position' \(position) x the largest inverse frequency \(largest) overflows: the angles would not be finite")
        }
        if let sequenceLength {
            guard (Double(sequenceLength - 1) * largest).isFinite else {
                throw .invalid("'seq_len' \(sequenceLength) x the largest inverse frequency \(largest) overflows: the cos/sin tables would not be finite")
            }
            guard Float(table.appliedAttentionFactor).isFinite else {
                throw .invalid("the attention factor \(table.appliedAttentionFactor) overflows float32: the cos/sin tables would not be finite")
            }
        }
    }
}
