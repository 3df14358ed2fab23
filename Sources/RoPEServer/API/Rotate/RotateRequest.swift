import RoPE
import TensorCodecs

/// A decoded `POST /rotate` request.
///
/// The embeddings arrive either parsed from JSON into a `Tensor`, or as a .npy body kept as a float32 file that
/// the handler rotates in place and sends back (see `NPYFloat32File`); exactly one of the two is set.
struct RotateRequest: ~Copyable {
    var embeddings: Tensor?
    var embeddingsFile: NPYFloat32File?
    /// The embeddings' shape, whichever form they came in.
    let shape: [Int]
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
    init(_ request: inout HTTPRequest, limits: ServerLimits) throws(HTTPError) {
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
            let adopted = try NPYBody.file(adopting: body, field: "embeddings", limits: limits)
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
            throw .invalid("'inverse' cannot be combined with 'from_positions'; "
                               + "to move back, swap 'positions' and 'from_positions'")
        }
        let xpos = try XPosDecoder.decode(&fields)
        let rope = try RoPEParametersDecoder.decode(&fields)
        try rope.requireHeadDimension(shape.last, of: "embeddings")
        if let multiAxis = try PositionsDecoder.decodeMultiAxis(&fields, "mrope_positions", alongside: "positions",
                                                                bodyArray: bodyPositions, forShape: shape,
                                                                parameters: rope.parameters, limits: limits) {
            guard fromPositions == nil else {
                throw .invalid("'from_positions' moves tokens at plain positions; it cannot be combined with "
                               + "'mrope_positions' (three position axes)")
            }
            positions = multiAxis
        }
        try fields.rejectUnread()
        self.embeddings = tensor
        self.embeddingsFile = file
        self.shape = shape
        self.positions = positions
        self.fromPositions = fromPositions
        self.offset = offset
        self.inverse = inverse
        self.xpos = xpos
        self.parameters = rope.parameters
        self.ropeApplied = rope.ropeApplied
    }
}

/// Reads the `xpos` object (JSON) or the `xpos_role` / `xpos_scale_base` query parameters.
enum XPosDecoder {
    static func decode(_ fields: inout RequestFields) throws(HTTPError) -> XPos? {
        var roleName: String?
        var scaleBase: Double?
        switch fields.origin {
        case .jsonBody:
            guard var object = try fields.object("xpos") else { return nil }
            roleName = try object.string("role")
            scaleBase = try object.double("scale_base")
            try object.rejectUnread(known: ["role", "scale_base"])
            guard roleName != nil else { throw .invalid("'xpos.role' is required: query or key") }
        case .queryString:
            roleName = try fields.string("xpos_role")
            scaleBase = try fields.double("xpos_scale_base")
            guard roleName != nil || scaleBase != nil else { return nil }
            guard roleName != nil else { throw .invalid("'xpos_role' is required with xpos_scale_base: query or key") }
        }
        let (roleField, scaleField) = fields.origin == .jsonBody ? ("xpos.role", "xpos.scale_base") : ("xpos_role", "xpos_scale_base")
        guard let role = XPos.Role(rawValue: roleName!) else {
            throw .invalid("'\(roleField)' must be query or key (got '\(roleName!)')")
        }
        if let scaleBase, scaleBase <= 0 {
            throw .invalid("'\(scaleField)' must be > 0 (got \(scaleBase))")
        }
        return XPos(role: role, scaleBase: scaleBase ?? XPos.defaultScaleBase)
    }
}

/// Tensors from a .npy request body.
enum NPYBody {
    /// The byte ranges of the consecutive arrays of a .npy body, one per field at most.
    static func arrayRanges(_ body: borrowing ResponseBuffer, fields: [String]) throws(HTTPError) -> [Range<Int>] {
        try body.withUnsafeBytes { bytes throws(HTTPError) in try arrayRanges(bytes, fields: fields) }
    }

    /// The same for a body in the request's memory.
    static func arrayRanges(_ bytes: UnsafeRawBufferPointer, fields: [String]) throws(HTTPError) -> [Range<Int>] {
        do {
            return try NPYReader.arrayRanges(bytes, fields: fields)
        } catch {
            throw HTTPError(error)
        }
    }

    /// The integer array at `range` of a .npy body (3-axis positions), values and shape.
    static func integers(_ body: borrowing ResponseBuffer, range: Range<Int>, field: String,
                         limits: ServerLimits) throws(HTTPError) -> (values: [Int], shape: [Int]) {
        try body.withUnsafeBytes { bytes throws(HTTPError) in
            try integers(UnsafeRawBufferPointer(rebasing: bytes[range]), field: field, limits: limits)
        }
    }

    /// The integer array in `bytes` (one whole .npy array), values and shape.
    static func integers(_ bytes: UnsafeRawBufferPointer, field: String,
                         limits: ServerLimits) throws(HTTPError) -> (values: [Int], shape: [Int]) {
        do {
            return try NPYReader.readIntegers(bytes, field: field, limits: limits.codecLimits)
        } catch {
            throw HTTPError(error)
        }
    }

    /// The float tensor in `bytes` (one whole .npy array).
    static func tensor(_ bytes: UnsafeRawBufferPointer, field: String,
                       limits: ServerLimits) throws(HTTPError) -> Tensor {
        do {
            return try NPYReader.read(bytes, field: field, limits: limits.codecLimits)
        } catch {
            throw HTTPError(error)
        }
    }

    static func file(adopting body: consuming ResponseBuffer, field: String, limits: ServerLimits) throws(HTTPError) -> NPYFloat32File {
        do {
            return try NPYFloat32File(adopting: body, field: field, limits: limits.codecLimits)
        } catch {
            throw HTTPError(error)
        }
    }
}
