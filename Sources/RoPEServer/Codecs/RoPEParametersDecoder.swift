import RoPE

/// Reads the RoPE parameters shared by /rotate, /attention and /frequencies (API.md), with Hugging Face
/// `transformers` config names so that a model's config can be pasted.
///
/// The scaling block comes either as a `rope_scaling` object or as flat keys (`rope_type`, `factor`, ...),
/// the only form a query string can carry. Keys that do not belong to the chosen `rope_type` are rejected,
/// so a misplaced key is never silently ignored.
enum RoPEParametersDecoder {
    /// Top-level names this decoder reads (besides the flat scaling keys).
    static let topLevelNames = ["rope_theta", "rotary_dim", "partial_rotary_factor", "layout", "rope_scaling",
                                "max_position_embeddings", "apply_attention_scaling"]

    /// Keys of a `rope_scaling` object, in the order they are documented.
    static let scalingNames = ["rope_type", "factor", "original_max_position_embeddings", "max_position_embeddings",
                               "beta_fast", "beta_slow", "mscale", "mscale_all_dim", "attention_factor", "truncate",
                               "low_freq_factor", "high_freq_factor", "short_factor", "long_factor"]

    /// The values of `rope_type`.
    enum ScalingType: String, CaseIterable {
        case `default`, linear, ntk, dynamic, yarn, llama3, longrope

        /// The scaling keys this type reads (besides `rope_type`/`type`).
        var keys: Set<String> {
            switch self {
            case .default: []
            case .linear, .ntk: ["factor"]
            case .dynamic: ["factor", "max_position_embeddings", "original_max_position_embeddings"]
            case .yarn: ["factor", "original_max_position_embeddings", "max_position_embeddings", "beta_fast",
                         "beta_slow", "mscale", "mscale_all_dim", "attention_factor", "truncate"]
            case .llama3: ["factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"]
            case .longrope: ["factor", "original_max_position_embeddings", "max_position_embeddings",
                             "attention_factor", "short_factor", "long_factor"]
            }
        }
    }

    /// Decodes and consumes every RoPE parameter from `fields`.
    static func decode(_ fields: inout RequestFields) throws(HTTPError) -> RoPEParameters {
        var parameters = RoPEParameters()
        if let theta = try fields.double("rope_theta") {
            guard theta > 0 else { throw .invalid("'rope_theta' must be > 0 (got \(theta))") }
            parameters.theta = theta
        }
        let rotaryDim = try fields.int("rotary_dim")
        let partialFactor = try fields.double("partial_rotary_factor")
        switch (rotaryDim, partialFactor) {
        case (.some, .some):
            throw .invalid("give either 'rotary_dim' or 'partial_rotary_factor', not both")
        case (.some(let count), nil):
            parameters.rotaryDimension = .count(count)
        case (nil, .some(let fraction)):
            guard fraction > 0, fraction <= 1 else {
                throw .invalid("'partial_rotary_factor' must be in (0, 1] (got \(fraction))")
            }
            parameters.rotaryDimension = .fraction(fraction)
        case (nil, nil):
            break
        }
        if let layoutName = try fields.string("layout") {
            guard let layout = RotationLayout(name: layoutName) else {
                throw .invalid("'layout' must be one of half, interleaved, neox, gptj (got '\(layoutName)')")
            }
            parameters.layout = layout
        }
        if let apply = try fields.bool("apply_attention_scaling") {
            parameters.applyAttentionScaling = apply
        }
        let maxPositionEmbeddings = try positiveInt(&fields, "max_position_embeddings")

        let flatNames = scalingNames.filter { $0 != "max_position_embeddings" && fields.contains($0) }
        if var scaling = try fields.object("rope_scaling") {
            if let flat = flatNames.first {
                throw .invalid("'\(flat)' is given both flat and inside 'rope_scaling'; use one form")
            }
            parameters.scaling = try decodeScaling(&scaling, topLevelMaxPositions: maxPositionEmbeddings)
        } else if !flatNames.isEmpty {
            parameters.scaling = try decodeScaling(&fields, topLevelMaxPositions: maxPositionEmbeddings)
        }
        return parameters
    }

    private static func decodeScaling(_ fields: inout RequestFields,
                                      topLevelMaxPositions: Int?) throws(HTTPError) -> RoPEScaling {
        let p = fields.prefix
        if !p.isEmpty, let unknown = fields.unreadNames.first(where: { !scalingNames.contains($0) && $0 != "type" }) {
            throw .invalid("unknown field '\(p)\(unknown)'; known: \((["type"] + scalingNames).joined(separator: ", "))")
        }
        var typeName = try fields.string("rope_type")
        if fields.origin == .jsonBody && !p.isEmpty, let legacy = try fields.string("type") {
            // Llama 2 era configs spell it `type`.
            guard typeName == nil || typeName == legacy else {
                throw .invalid("'\(p)rope_type' (\(typeName!)) and '\(p)type' (\(legacy)) disagree")
            }
            typeName = legacy
        }
        guard let type = ScalingType(rawValue: typeName ?? "default") else {
            let names = ScalingType.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalid("'\(p)rope_type' must be one of \(names) (got '\(typeName ?? "")')")
        }
        for name in scalingNames where name != "rope_type" && fields.contains(name) && !type.keys.contains(name) {
            if p.isEmpty && name == "max_position_embeddings" { continue }
            throw .invalid("'\(p)\(name)' does not apply to rope_type '\(type.rawValue)'")
        }

        let nestedMaxPositions = p.isEmpty ? nil : try positiveInt(&fields, "max_position_embeddings")
        let maxPositions = nestedMaxPositions ?? topLevelMaxPositions
        let scaling = try decodeScaling(type, &fields, maxPositions: maxPositions)
        if !p.isEmpty { try fields.rejectUnread(known: ["type"] + scalingNames) }
        return scaling
    }

    private static func decodeScaling(_ type: ScalingType, _ fields: inout RequestFields,
                                      maxPositions: Int?) throws(HTTPError) -> RoPEScaling {
        let p = fields.prefix
        switch type {
        case .default:
            return .none
        case .linear:
            return .linear(factor: try factor(&fields, required: true)!)
        case .ntk:
            return .ntk(factor: try factor(&fields, required: true)!)
        case .dynamic:
            let factor = try factor(&fields, required: true)!
            let original = try positiveInt(&fields, "original_max_position_embeddings")
            guard let limit = original ?? maxPositions else {
                throw .invalid("rope_type 'dynamic' needs 'max_position_embeddings' (top level or in '\(p.isEmpty ? "rope_scaling" : String(p.dropLast()))')")
            }
            return .dynamic(DynamicNTKScaling(factor: factor, maxPositionEmbeddings: limit))
        case .yarn:
            let explicitFactor = try factor(&fields, required: false)
            let original = try positiveInt(&fields, "original_max_position_embeddings") ?? maxPositions
            guard let original else {
                throw .invalid("rope_type 'yarn' needs '\(p)original_max_position_embeddings' (or 'max_position_embeddings')")
            }
            guard let factor = explicitFactor ?? maxPositions.map({ Double($0) / Double(original) }) else {
                throw .invalid("rope_type 'yarn' needs '\(p)factor'")
            }
            guard factor >= 1 else {
                throw .invalid("rope_type 'yarn': max_position_embeddings / original_max_position_embeddings = \(factor) must be >= 1")
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
            if let original = try positiveInt(&fields, "original_max_position_embeddings") {
                llama3.originalMaxPositionEmbeddings = original
            }
            return .llama3(llama3)
        case .longrope:
            guard let short = try fields.doubles("short_factor") else { throw .invalid("rope_type 'longrope' needs '\(p)short_factor'") }
            guard let long = try fields.doubles("long_factor") else { throw .invalid("rope_type 'longrope' needs '\(p)long_factor'") }
            let explicitFactor = try factor(&fields, required: false)
            let original = try positiveInt(&fields, "original_max_position_embeddings")
            guard let originalLength = original ?? maxPositions else {
                throw .invalid("rope_type 'longrope' needs '\(p)original_max_position_embeddings'")
            }
            let derived = maxPositions.map { Double($0) / Double(originalLength) } ?? 1
            guard explicitFactor != nil || derived >= 1 else {
                throw .invalid("rope_type 'longrope': max_position_embeddings / original_max_position_embeddings = \(derived) must be >= 1")
            }
            var longrope = LongRoPEScaling(shortFactor: short, longFactor: long,
                                           originalMaxPositionEmbeddings: originalLength, factor: explicitFactor ?? derived)
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

    private static func positiveInt(_ fields: inout RequestFields, _ name: String) throws(HTTPError) -> Int? {
        guard let value = try fields.int(name) else { return nil }
        guard value > 0 else { throw .invalid("'\(fields.prefix)\(name)' must be a positive integer (got \(value))") }
        return value
    }
}
