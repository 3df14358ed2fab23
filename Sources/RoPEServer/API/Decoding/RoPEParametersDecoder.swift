import RoPE

/// Reads the RoPE parameters shared by /rotate, /attention and /frequencies (and any endpoint that takes them),
/// with Hugging Face `transformers` config names so that a model's config can be pasted.
///
/// Three forms: the legacy top-level `rope_theta` / `rotary_dim` / `partial_rotary_factor` with a `rope_scaling`
/// object or its flat keys (the only form a query string spells without JSON text); the transformers 5
/// `rope_parameters` object, flat or keyed by layer type (`layer_type` picks one); or a whole `config`
/// (see `ModelConfigReader`). `layout` and `apply_attention_scaling` go with every form.
enum RoPEParametersDecoder {
    /// Top-level names this decoder reads (besides the flat scaling keys).
    static let topLevelNames = ["rope_theta", "rotary_dim", "partial_rotary_factor", "layout", "rope_scaling",
                                "max_position_embeddings", "apply_attention_scaling", "rope_parameters", "layer_type",
                                "config", "layer"]

    /// Top-level fields that the `rope_parameters` object replaces.
    static let replacedByRopeParameters = ["rope_scaling", "rope_theta", "partial_rotary_factor"]

    /// Decodes and consumes every RoPE field of a request: the parameters, plus the head dimension and whether
    /// RoPE applies at all when a `config` names a layer. The one entry point for every endpoint.
    static func decode(_ fields: inout RequestFields) throws(HTTPError) -> DecodedRoPE {
        // null means absent, as for every field: the forms that would read these never run then.
        for name in ["config", "rope_parameters", "layer", "layer_type"]
        where fields.has(name) && !fields.contains(name) {
            _ = try fields.string(name)
        }
        if fields.contains("config") { return try ModelConfigReader.decode(&fields) }
        if fields.contains("layer") {
            throw .invalid("'layer' picks a layer of a pasted 'config'; without 'config' use 'layer_type' with "
                         + "'rope_parameters'")
        }
        var parameters = RoPEParameters()
        try decodeRequestOptions(&fields, into: &parameters)
        let defaults = RoPEObjectDefaults(
            maxPositionEmbeddings: try RoPEObjectDecoder.positiveInt(&fields, "max_position_embeddings"))
        let rotaryDim = try fields.int("rotary_dim")
        let flatNames = RoPEObjectDecoder.scalingNames.filter { $0 != "max_position_embeddings" && fields.contains($0) }
        if fields.contains("rope_parameters") {
            if let clash = (replacedByRopeParameters + flatNames).first(where: fields.contains) {
                throw .invalid("'rope_parameters' cannot be combined with a top-level '\(clash)': in the "
                               + "transformers 5 form it goes inside 'rope_parameters'")
            }
            guard var container = try fields.object("rope_parameters") else {
                return DecodedRoPE(parameters: parameters,
                                   maxPositionEmbeddings: defaults.maxPositionEmbeddings)
            }
            let layerType = try fields.string("layer_type")
            guard var entry = try entry(of: &container, layerType: layerType, defaults: defaults) else {
                return DecodedRoPE(parameters: parameters, ropeApplied: false,
                                   maxPositionEmbeddings: defaults.maxPositionEmbeddings)
            }
            let object = try RoPEObjectDecoder.decode(&entry, isParametersForm: true, defaults: defaults)
            try apply(object, theta: nil, partialRotaryFactor: nil, rotaryDim: rotaryDim, to: &parameters)
            return DecodedRoPE(parameters: parameters, maxPositionEmbeddings: defaults.maxPositionEmbeddings)
        }
        if fields.contains("layer_type") {
            throw .invalid("'layer_type' picks an entry of 'rope_parameters' keyed by layer type (or of a config's); "
                         + "there is none here")
        }
        let theta = try fields.double("rope_theta")
        let partialRotaryFactor = try fields.double("partial_rotary_factor")
        var object = RoPEObject()
        if var scaling = try fields.object("rope_scaling") {
            if let flat = flatNames.first {
                throw .invalid("'\(flat)' is given both flat and inside 'rope_scaling'; use one form")
            }
            object = try RoPEObjectDecoder.decode(&scaling, isParametersForm: false, defaults: defaults)
        } else if !flatNames.isEmpty {
            object = try RoPEObjectDecoder.decode(&fields, isParametersForm: false, defaults: defaults)
        }
        try apply(object, theta: theta, partialRotaryFactor: partialRotaryFactor, rotaryDim: rotaryDim, to: &parameters)
        return DecodedRoPE(parameters: parameters, maxPositionEmbeddings: defaults.maxPositionEmbeddings)
    }

    /// `layout` and `apply_attention_scaling`, which every form takes at the top level.
    static func decodeRequestOptions(_ fields: inout RequestFields,
                                     into parameters: inout RoPEParameters) throws(HTTPError) {
        if let layoutName = try fields.string("layout") {
            guard let layout = RotationLayout(name: layoutName) else {
                throw .invalid("'layout' must be one of half, interleaved, neox, gptj (got '\(layoutName)')")
            }
            parameters.layout = layout
        }
        if let apply = try fields.bool("apply_attention_scaling") {
            parameters.applyAttentionScaling = apply
        }
    }

    /// The RoPE object of a `rope_parameters` container: the container itself when it is one object, else the entry
    /// `layerType` names; nil when that entry is null (the layer type has no RoPE). The other entries are decoded
    /// too (with `defaults`), so a typo in any of them is a 422 naming it.
    static func entry(of container: inout RequestFields, layerType: String?,
                      defaults: RoPEObjectDefaults) throws(HTTPError) -> RequestFields? {
        let field = String(container.prefix.dropLast())
        guard container.isKeyedByLayerType(objectKeys: RoPEObjectDecoder.objectKeys) else {
            if let layerType {
                throw .invalid("'layer_type' (\(layerType)) picks an entry of '\(field)' keyed by layer type, but "
                             + "'\(field)' is a single RoPE object")
            }
            return container
        }
        let types = container.names.joined(separator: ", ")
        guard let layerType else {
            throw .invalid("'\(field)' is keyed by layer type (\(types)): give 'layer_type' (or 'layer' with a config) "
                         + "to pick one")
        }
        guard container.has(layerType) else {
            throw .invalid("'layer_type' '\(layerType)' is not a layer type of '\(field)' (\(types))")
        }
        for name in container.names where name != layerType {
            if var other = try container.object(name) {
                _ = try RoPEObjectDecoder.decode(&other, isParametersForm: true, defaults: defaults)
            }
        }
        return try container.object(layerType)
    }

    /// Puts a decoded RoPE object into `parameters`, with the top-level `theta`, `partialRotaryFactor` and
    /// `rotaryDim` where the object has none. Proportional RoPE takes the partial factor as its count of
    /// non-zero frequencies and refuses `rotary_dim`.
    static func apply(_ object: RoPEObject, theta: Double?, partialRotaryFactor: Double?, rotaryDim: Int?,
                      to parameters: inout RoPEParameters) throws(HTTPError) {
        if let theta = object.theta ?? theta {
            guard theta > 0 else { throw .invalid("'rope_theta' must be > 0 (got \(theta))") }
            parameters.theta = theta
        }
        let partial = object.partialRotaryFactor ?? partialRotaryFactor
        if let partial, !(partial > 0 && partial <= 1) {
            throw .invalid("'partial_rotary_factor' must be in (0, 1] (got \(partial))")
        }
        parameters.scaling = object.scaling
        parameters.mropeSection = object.mropeSection
        if case .proportional(var proportional) = object.scaling {
            guard rotaryDim == nil else {
                throw .invalid("'rotary_dim' does not apply to rope_type 'proportional': it spans the whole head "
                               + "dimension and 'partial_rotary_factor' sets how many frequencies are non-zero")
            }
            proportional.partialRotaryFactor = partial ?? 1
            parameters.scaling = .proportional(proportional)
            return
        }
        switch (rotaryDim, partial) {
        case (.some, .some):
            throw .invalid("give either 'rotary_dim' or 'partial_rotary_factor', not both")
        case (.some(let count), nil):
            parameters.rotaryDimension = .count(count)
        case (nil, .some(let fraction)):
            parameters.rotaryDimension = .fraction(fraction)
        case (nil, nil):
            break
        }
    }
}
