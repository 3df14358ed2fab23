import RoPE
import TensorCodecs

/// A decoded `POST /rotate` request.
///
/// The embeddings arrive either parsed from JSON into a `Tensor`, or as a .npy body kept as a float32 file that
/// the endpoint rotates in place and sends back (see `NPYFloat32File`); exactly one of the two is set.
struct RotateRequest: ~Copyable {
    var embeddings: Tensor?
    var embeddingsFile: NPYFloat32File?
    var positions: PositionGrid
    /// The positions the embeddings were rotated at (`from_positions`): the request moves them to `positions`.
    var fromPositions: PositionGrid?
    var offset: Int
    var inverse: Bool
    var xpos: XPos?
    var parameters: RoPEParameters
    /// false for a config layer without RoPE: the embeddings come back unchanged.
    var ropeApplied: Bool

    /// Decodes a JSON body, or a .npy body (taken over from `request`) with the parameters in the query string.
    init(_ request: inout HTTPRequest, limits: ServerLimits) throws {
        // Everything is decoded into locals first: a non-copyable value cannot be left partly initialised by a throw.
        var fields: RequestFields
        var tensor: Tensor?
        var file: NPYFloat32File?
        var bodyPositions: (values: [Int], shape: [Int])?
        let shape: [Int]
        switch try BodyEncoding(of: request, allowsNPY: true) {
        case .json:
            var body = try DecodedBody.json(request, tensorFields: ["embeddings"], limits: limits)
            let decoded = try body.requireTensor("embeddings")
            shape = decoded.shape
            tensor = decoded
            fields = body.fields
        case .npy:
            var body = request.takeBody() ?? ResponseBuffer(copying: request.body)
            // An integer array after the embeddings holds the 3-axis M-RoPE positions.
            let ranges = try NPYBody.arrayRanges(body, fields: ["embeddings", "mrope_positions"])
            if ranges.count == 2 {
                bodyPositions = try NPYBody.integers(body, range: ranges[1], field: "mrope_positions", limits: limits)
                body.truncate(to: ranges[0].upperBound)
            }
            let adopted = try NPYFloat32File(adopting: body, field: "embeddings", limits: limits.codecLimits)
            shape = adopted.shape
            file = .some(adopted)
            fields = try RequestFields(query: request.query, limits: limits.codecLimits)
        }
        try limits.check(shape: shape, field: "embeddings")
        var positions = try PositionsDecoder.decode(&fields, "positions", forShape: shape, limits: limits)
        let fromPositions = fields.contains("from_positions")
            ? try PositionsDecoder.decode(&fields, "from_positions", forShape: shape, limits: limits) : nil
        let offset = try PositionsDecoder.offset(&fields, limits: limits)
        let inverse = try fields.bool("inverse") ?? false
        if fromPositions != nil && inverse {
            throw HTTPError.invalid("'inverse' cannot be combined with 'from_positions'; "
                                  + "to move back, swap 'positions' and 'from_positions'")
        }
        let xpos = try XPosDecoder.decode(&fields)
        let rope = try RoPEParametersDecoder.decode(&fields)
        try rope.requireHeadDimension(shape.last, of: "embeddings")
        if let multiAxis = try PositionsDecoder.decodeMultiAxis(&fields, "mrope_positions", alongside: "positions",
                                                                bodyArray: bodyPositions, forShape: shape,
                                                                parameters: rope.parameters, limits: limits) {
            guard fromPositions == nil else {
                throw HTTPError.invalid("'from_positions' moves tokens at plain positions; it cannot be combined with "
                                      + "'mrope_positions' (three position axes)")
            }
            positions = multiAxis
        }
        try fields.rejectUnread()
        self.embeddings = tensor
        self.embeddingsFile = file
        self.positions = positions
        self.fromPositions = fromPositions
        self.offset = offset
        self.inverse = inverse
        self.xpos = xpos
        self.parameters = rope.parameters
        self.ropeApplied = rope.ropeApplied
    }
}
