import RoPE

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
        let (roleField, scaleField) = fields.origin == .jsonBody
            ? ("xpos.role", "xpos.scale_base") : ("xpos_role", "xpos_scale_base")
        guard let role = XPos.Role(rawValue: roleName!) else {
            throw .invalid("'\(roleField)' must be query or key (got '\(roleName!)')")
        }
        if let scaleBase, scaleBase <= 0 {
            throw .invalid("'\(scaleField)' must be > 0 (got \(scaleBase))")
        }
        return XPos(role: role, scaleBase: scaleBase ?? XPos.defaultScaleBase)
    }
}
