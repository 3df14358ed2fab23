import RoPE
import TensorCodecs

/// A decoded `POST /attention` request.
struct AttentionRequest {
    var queries: Tensor
    var keys: Tensor
    var queryPositions: PositionGrid
    var keyPositions: PositionGrid
    var options: AttentionOptions
    /// The RoPE parameters; nil for a config layer without RoPE (q and k are scored unrotated).
    var parameters: RoPEParameters?
    /// Entries of the score matrix (rows x s_k), within `max_attention_scores`.
    let scoreCount: Int

    /// Decodes a JSON body with `queries` and `keys`, or a .npy body holding the two arrays one after the other
    /// (`np.save(f, queries); np.save(f, keys)`), optionally followed by two integer arrays, the 3-axis
    /// `query_mrope_positions` and `key_mrope_positions`, with the parameters in the query string.
    init(_ request: HTTPRequest, limits: ServerLimits) throws {
        var fields: RequestFields
        var bodyPositions: [(values: [Int], shape: [Int])?] = [nil, nil]
        switch try BodyEncoding(of: request, allowsNPY: true) {
        case .json:
            var body = try DecodedBody.json(request, tensorFields: ["queries", "keys"], limits: limits)
            queries = try body.requireTensor("queries")
            keys = try body.requireTensor("keys")
            fields = body.fields
        case .npy:
            let names = ["queries", "keys", "query_mrope_positions", "key_mrope_positions"]
            let ranges = try NPYReader.arrayRanges(request.body, fields: names)
            guard ranges.count != 3 else {
                throw HTTPError.invalid("a .npy body holds queries and keys, then both 'query_mrope_positions' and "
                                      + "'key_mrope_positions' or neither")
            }
            func bytes(_ index: Int) -> UnsafeRawBufferPointer {
                index < ranges.count ? UnsafeRawBufferPointer(rebasing: request.body[ranges[index]])
                    : UnsafeRawBufferPointer(start: nil, count: 0)
            }
            let codecLimits = limits.codecLimits
            queries = try NPYReader.read(bytes(0), field: names[0], limits: codecLimits)
            keys = try NPYReader.read(bytes(1), field: names[1], limits: codecLimits)
            if ranges.count == 4 {
                bodyPositions = [try NPYReader.readIntegers(bytes(2), field: names[2], limits: codecLimits),
                                 try NPYReader.readIntegers(bytes(3), field: names[3], limits: codecLimits)]
            }
            fields = try RequestFields(query: request.query, limits: limits.codecLimits)
        }
        try limits.check(queries, field: "queries")
        try limits.check(keys, field: "keys")
        guard queries.shape.dropLast(2) == keys.shape.dropLast(2), queries.featureCount == keys.featureCount,
              queries.shape.count == keys.shape.count else {
            throw HTTPError.invalid("'queries' \(queries.shape) and 'keys' \(keys.shape) must have the same leading "
                                  + "axes and head dimension")
        }
        let (cells, overflow) = queries.values.count.multipliedReportingOverflow(by: keys.sequenceLength)
        scoreCount = overflow ? Int.max : cells / max(queries.featureCount, 1)
        guard scoreCount <= limits.maxAttentionScores else {
            throw HTTPError.tooLarge("the score matrix would hold \(scoreCount) entries, above the limit of "
                                   + "\(limits.maxAttentionScores) (max_attention_scores)")
        }
        queryPositions = try PositionsDecoder.decode(&fields, "query_positions", for: queries, limits: limits)
        keyPositions = try PositionsDecoder.decode(&fields, "key_positions", for: keys, limits: limits)
        options = AttentionOptions()
        if let scale = try fields.double("scale") { options.scale = scale }
        options.causal = try fields.bool("causal") ?? false
        options.softmax = try fields.bool("softmax") ?? false
        let rope = try RoPEParametersDecoder.decode(&fields)
        try rope.requireHeadDimension(queries.shape.last, of: "queries")
        if let multiAxis = try PositionsDecoder.decodeMultiAxis(
            &fields, "query_mrope_positions", alongside: "query_positions", bodyArray: bodyPositions[0],
            forShape: queries.shape,
            parameters: rope.parameters, limits: limits) {
            queryPositions = multiAxis
        }
        if let multiAxis = try PositionsDecoder.decodeMultiAxis(
            &fields, "key_mrope_positions", alongside: "key_positions", bodyArray: bodyPositions[1],
            forShape: keys.shape,
            parameters: rope.parameters, limits: limits) {
            keyPositions = multiAxis
        }
        parameters = rope.ropeApplied ? rope.parameters : nil
        try fields.rejectUnread()
    }
}
