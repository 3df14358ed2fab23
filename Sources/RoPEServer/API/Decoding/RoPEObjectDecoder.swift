import RoPE

/// One RoPE object as Hugging Face configs write it: a `rope_scaling` object (transformers 4.x), an entry of
/// `rope_parameters` (transformers 5.x, which also carries `rope_theta` and `partial_rotary_factor`), or the flat
/// keys of a query string.
///
/// Keys that do not belong to the chosen `rope_type` are rejected, so a misplaced key is never silently ignored.
struct RoPEObject {
    var scaling: RoPEScaling = .none
    /// `rope_theta` inside the object (rope_parameters only).
    var theta: Double?
    /// `partial_rotary_factor` inside the object (rope_parameters only).
    var partialRotaryFactor: Double?
    /// `mrope_section` / `mrope_interleaved` (M-RoPE).
    var mropeSection: MRoPESection?
}

/// Values a config supplies outside the RoPE object that fill what the object lacks.
struct RoPEObjectDefaults {
    /// `max_position_embeddings` (top level, or the config's).
    var maxPositionEmbeddings: Int?
    /// Phi-3's top-level `original_max_position_embeddings` in a config.
    var originalMaxPositionEmbeddings: Int?
}

enum RoPEObjectDecoder {
    /// Keys of a `rope_scaling` object, in the order they are documented.
    static let scalingNames = ["rope_type", "factor", "original_max_position_embeddings", "max_position_embeddings",
                               "beta_fast", "beta_slow", "mscale", "mscale_all_dim", "attention_factor", "truncate",
                               "low_freq_factor", "high_freq_factor", "short_factor", "long_factor",
                               "mrope_section", "mrope_interleaved"]
    /// Keys only the transformers 5 `rope_parameters` object has.
    static let parametersOnlyNames = ["rope_theta", "partial_rotary_factor"]
    /// Every key a RoPE object may have.
    static let objectKeys = ["type"] + scalingNames + parametersOnlyNames

    /// The values of `rope_type` (`mrope` is read as the older spelling of `default` with a section).
    enum ScalingType: String, CaseIterable {
        case `default`, linear, ntk, dynamic, yarn, llama3, longrope, proportional

        /// The scaling keys this type reads (besides `rope_type`/`type` and the M-RoPE keys).
        var keys: Set<String> {
            switch self {
            case .default: []
            case .linear, .ntk, .proportional: ["factor"]
            case .dynamic: ["factor", "max_position_embeddings", "original_max_position_embeddings"]
            case .yarn: ["factor", "original_max_position_embeddings", "max_position_embeddings", "beta_fast",
                         "beta_slow", "mscale", "mscale_all_dim", "attention_factor", "truncate"]
            case .llama3: ["factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"]
            case .longrope: ["factor", "original_max_position_embeddings", "max_position_embeddings",
                             "attention_factor", "short_factor", "long_factor"]
            }
        }
    }

    /// Decodes one RoPE object. `fields` is the object itself (its prefix names it in messages) or, with an empty
    /// prefix, the request's flat keys; `isParametersForm` allows `rope_theta` / `partial_rotary_factor` inside.
    static func decode(_ fields: inout RequestFields, isParametersForm: Bool,
                       defaults: RoPEObjectDefaults) throws(HTTPError) -> RoPEObject {
        let p = fields.prefix
        let known = isParametersForm ? objectKeys : ["type"] + scalingNames
        if !p.isEmpty, let unknown = fields.unreadNames.first(where: { !known.contains($0) }) {
            throw .invalid("unknown field '\(p)\(unknown)'; known: \(known.joined(separator: ", "))")
        }
        var object = RoPEObject()
        if isParametersForm {
            object.theta = try fields.double("rope_theta")
            object.partialRotaryFactor = try fields.double("partial_rotary_factor")
        }
        var typeName = try fields.string("rope_type")
        if fields.origin == .jsonBody && !p.isEmpty, let legacy = try fields.string("type") {
            // Llama 2 era configs spell it `type`.
            guard typeName == nil || typeName == legacy else {
                throw .invalid("'\(p)rope_type' (\(typeName!)) and '\(p)type' (\(legacy)) disagree")
            }
            typeName = legacy
        }
        let isLegacyMRoPE = typeName == "mrope"
        guard let type = isLegacyMRoPE ? .default : ScalingType(rawValue: typeName ?? "default") else {
            let names = ScalingType.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalid("'\(p)rope_type' must be one of \(names) (got '\(typeName ?? "")')")
        }
        for name in scalingNames where !["rope_type", "mrope_section", "mrope_interleaved"].contains(name)
            && fields.contains(name) && !type.keys.contains(name) {
            if p.isEmpty && name == "max_position_embeddings" { continue }
            throw .invalid("'\(p)\(name)' does not apply to rope_type '\(type.rawValue)'")
        }
        object.mropeSection = try mropeSection(&fields)
        if isLegacyMRoPE && object.mropeSection == nil {
            throw .invalid("'\(p)type' 'mrope' needs '\(p)mrope_section' ([t, h, w] frequency slots)")
        }
        let nestedMaxPositions = p.isEmpty ? nil : try positiveInt(&fields, "max_position_embeddings")
        var defaults = defaults
        defaults.maxPositionEmbeddings = nestedMaxPositions ?? defaults.maxPositionEmbeddings
        object.scaling = try decodeScaling(type, &fields, defaults: defaults)
        if !p.isEmpty { try fields.rejectUnread(known: known) }
        return object
    }

    /// `mrope_section` ([t, h, w]) and `mrope_interleaved`.
    private static func mropeSection(_ fields: inout RequestFields) throws(HTTPError) -> MRoPESection? {
        let p = fields.prefix
        let interleaved = try fields.bool("mrope_interleaved")
        guard let (counts, shape) = try fields.integerGrid("mrope_section") else {
            if interleaved != nil { throw .invalid("'\(p)mrope_interleaved' needs '\(p)mrope_section'") }
            return nil
        }
        guard shape == [3], counts.allSatisfy({ $0 >= 0 }) else {
            throw .invalid("'\(p)mrope_section' must be three non-negative integers [t, h, w] (got shape \(shape))")
        }
        return MRoPESection(counts: counts, interleaved: interleaved ?? false)
    }

    private static func decodeScaling(_ type: ScalingType, _ fields: inout RequestFields,
                                      defaults: RoPEObjectDefaults) throws(HTTPError) -> RoPEScaling {
        let p = fields.prefix
        let maxPositions = defaults.maxPositionEmbeddings
        let originalName = "original_max_position_embeddings"
        switch type {
        case .default:
            return .none
        case .linear:
            return .linear(factor: try factor(&fields, required: true)!)
        case .ntk:
            return .ntk(factor: try factor(&fields, required: true)!)
        case .proportional:
            // partial_rotary_factor joins it once the object and the top level are both read.
            return .proportional(ProportionalScaling(factor: try factor(&fields, required: false) ?? 1))
        case .dynamic:
            let factor = try factor(&fields, required: true)!
            let original = try positiveInt(&fields, originalName) ?? defaults.originalMaxPositionEmbeddings
            guard let limit = original ?? maxPositions else {
                throw .invalid("rope_type 'dynamic' needs 'max_position_embeddings' (top level or in "
                             + "'\(p.isEmpty ? "rope_scaling" : String(p.dropLast()))')")
            }
            return .dynamic(DynamicNTKScaling(factor: factor, maxPositionEmbeddings: limit))
        case .yarn:
            let explicitFactor = try factor(&fields, required: false)
            let original = try positiveInt(&fields, originalName) ?? defaults.originalMaxPositionEmbeddings
                ?? maxPositions
            guard let original else {
                throw .invalid("rope_type 'yarn' needs '\(p)original_max_position_embeddings' (or "
                             + "'max_position_embeddings')")
            }
            guard let factor = explicitFactor ?? maxPositions.map({ Double($0) / Double(original) }) else {
                throw .invalid("rope_type 'yarn' needs '\(p)factor'")
            }
            guard factor >= 1 else {
                throw .invalid("rope_type 'yarn': max_position_embeddings / original_max_position_embeddings = "
                             + "\(factor) must be >= 1")
            }
            var yarn = YaRNScaling(factor: factor, originalMaxPositionEmbeddings: original)
            if let betaFast = try fields.double("beta_fast") { yarn.betaFast = betaFast }
            if let betaSlow = try fields.double("beta_slow") { yarn.betaSlow = betaSlow }
            yarn.mscale = try fields.double("mscale")
            yarn.mscaleAllDim = try fields.double("mscale_all_dim")
            yarn.attentionFactor = try positive(&fields, "attention_factor")
            if let truncate = try fields.bool("truncate") { yarn.truncate = truncate }
            return .yarn(yarn)
        case .llama3:
            var llama3 = Llama3Scaling(factor: try factor(&fields, required: true)!)
            if let low = try positive(&fields, "low_freq_factor") { llama3.lowFreqFactor = low }
            if let high = try positive(&fields, "high_freq_factor") { llama3.highFreqFactor = high }
            guard llama3.highFreqFactor > llama3.lowFreqFactor else {
                throw .invalid("'\(p)high_freq_factor' must be greater than '\(p)low_freq_factor'")
            }
            if let original = try positiveInt(&fields, originalName) ?? defaults.originalMaxPositionEmbeddings {
                llama3.originalMaxPositionEmbeddings = original
            }
            return .llama3(llama3)
        case .longrope:
            guard let short = try fields.doubles("short_factor") else {
                throw .invalid("rope_type 'longrope' needs '\(p)short_factor'")
            }
            guard let long = try fields.doubles("long_factor") else {
                throw .invalid("rope_type 'longrope' needs '\(p)long_factor'")
            }
            let explicitFactor = try factor(&fields, required: false)
            let original = try positiveInt(&fields, originalName) ?? defaults.originalMaxPositionEmbeddings
            guard let originalLength = original ?? maxPositions else {
                throw .invalid("rope_type 'longrope' needs '\(p)original_max_position_embeddings'")
            }
            let derived = maxPositions.map { Double($0) / Double(originalLength) } ?? 1
            guard explicitFactor != nil || derived >= 1 else {
                throw .invalid("rope_type 'longrope': max_position_embeddings / original_max_position_embeddings = "
                             + "\(derived) must be >= 1")
            }
            var longrope = LongRoPEScaling(shortFactor: short, longFactor: long,
                                           originalMaxPositionEmbeddings: originalLength,
                                           factor: explicitFactor ?? derived)
            longrope.attentionFactor = try positive(&fields, "attention_factor")
            return .longrope(longrope)
        }
    }

    private static func factor(_ fields: inout RequestFields, required: Bool) throws(HTTPError) -> Double? {
        guard let factor = try fields.double("factor") else {
            if required { throw .invalid("'\(fields.prefix)factor' is required for this rope_type") }
            return nil
        }
        guard factor >= 1 else { throw .invalid("'\(fields.prefix)factor' must be >= 1 (got \(factor))") }
        return factor
    }

    private static func positive(_ fields: inout RequestFields, _ name: String) throws(HTTPError) -> Double? {
        guard let value = try fields.double(name) else { return nil }
        guard value > 0 else { throw .invalid("'\(fields.prefix)\(name)' must be > 0 (got \(value))") }
        return value
    }

    /// A positive integer field, or nil when absent.
    static func positiveInt(_ fields: inout RequestFields, _ name: String) throws(HTTPError) -> Int? {
        guard let value = try fields.int(name) else { return nil }
        guard value > 0 else { throw .invalid("'\(fields.prefix)\(name)' must be a positive integer (got \(value))") }
        return value
    }
}
