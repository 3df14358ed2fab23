import RoPE

/// A decoded `POST /rotate` request.
struct RotateRequest {
    var embeddings: Tensor
    var positions: PositionGrid
    var offset: Int
    var inverse: Bool
    var xpos: XPos?
    var parameters: RoPEParameters

    /// Decodes a JSON body, or a .npy body with the parameters in the query string.
    init(_ request: HTTPRequest, limits: ServerLimits) throws(HTTPError) {
        var fields: RequestFields
        switch try BodyEncoding(of: request, allowsNPY: true) {
        case .json:
            var body = try DecodedBody.json(request, tensorFields: ["embeddings"], limits: limits)
            embeddings = try body.requireTensor("embeddings")
            fields = body.fields
        case .npy:
            embeddings = try NPYBody.tensor(request, field: "embeddings", limits: limits)
            fields = try RequestFields(query: request.query)
        }
        try limits.check(embeddings, field: "embeddings")
        positions = try PositionsDecoder.decode(&fields, "positions", for: embeddings, limits: limits)
        offset = try PositionsDecoder.offset(&fields, limits: limits)
        inverse = try fields.bool("inverse") ?? false
        xpos = try XPosDecoder.decode(&fields)
        parameters = try RoPEParametersDecoder.decode(&fields)
        try fields.rejectUnread()
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
        return XPos(role: role, scaleBase: scaleBase ?? 512)
    }
}

/// Tensors from a .npy request body.
enum NPYBody {
    static func tensors(_ request: HTTPRequest, fields: [String], limits: ServerLimits) throws(HTTPError) -> [Tensor] {
        do {
            return try NPYReader.readSequence(request.body, fields: fields, limits: limits.codecLimits)
        } catch {
            throw HTTPError(error)
        }
    }

    static func tensor(_ request: HTTPRequest, field: String, limits: ServerLimits) throws(HTTPError) -> Tensor {
        do {
            return try NPYReader.read(request.body, field: field, limits: limits.codecLimits)
        } catch {
            throw HTTPError(error)
        }
    }
}
