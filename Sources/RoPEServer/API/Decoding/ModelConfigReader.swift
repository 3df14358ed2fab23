import RoPE

/// Reads a model's pasted `config.json` (transformers 4.x or 5.x; for multimodal models its `text_config`) as
/// transformers reads it: the RoPE parameters of the requested layer, its head dimension, and whether the layer
/// applies RoPE at all.
///
/// - RoPE object: `rope_parameters` (flat or keyed by layer type), else `rope_scaling` + `rope_theta` (default
///   10000) + `partial_rotary_factor`, with a top-level `original_max_position_embeddings` (Phi-3) filling what
///   the object lacks; Gemma 3 4.x sliding layers use default RoPE at `rope_local_base_freq`.
/// - Layer: `layer` picks `layer_types[layer]` (Gemma 3 4.x: every `sliding_window_pattern`-th layer is full
///   attention); Llama 4 `no_rope_layers[layer] == 0` (derived from `no_rope_layer_interval` when empty) has no RoPE.
/// - Head dimension: Gemma 4 full-attention layers `per_layer_config[layer].head_dim` or `global_head_dim`; else
///   `qk_rope_head_dim` (MLA), `head_dim`, or `hidden_size // num_attention_heads`.
/// Keys the service does not use are ignored; the RoPE objects are validated as strictly as top-level ones.
enum ModelConfigReader {
    /// Request fields a config replaces: giving them next to `config` is a 422.
    static let replacedFields = ["rope_theta", "rope_scaling", "rope_parameters", "partial_rotary_factor",
                                 "rotary_dim", "max_position_embeddings"] + RoPEObjectDecoder.scalingNames

    /// Decodes `config` with `layer` / `layer_type`, `layout` and `apply_attention_scaling` from `fields`.
    static func decode(_ fields: inout RequestFields) throws(HTTPError) -> DecodedRoPE {
        if let clash = replacedFields.first(where: fields.contains) {
            throw .invalid("'\(clash)' cannot be given next to 'config': the config sets the RoPE parameters (next "
                           + "to it only layout, apply_attention_scaling, layer and layer_type)")
        }
        var parameters = RoPEParameters()
        try RoPEParametersDecoder.decodeRequestOptions(&fields, into: &parameters)
        let layer = try fields.int("layer")
        let requestedLayerType = try fields.string("layer_type")
        if layer != nil && requestedLayerType != nil {
            throw .invalid("give either 'layer' or 'layer_type' with 'config', not both")
        }
        guard var config = try fields.object("config") else { return DecodedRoPE(parameters: parameters) }
        var text = try config.object("text_config") ?? config

        let layerTypes = try text.strings("layer_types")
        let layerCount = try RoPEObjectDecoder.positiveInt(&text, "num_hidden_layers") ?? layerTypes?.count
        var layerType = requestedLayerType
        var ropeApplied = true
        if let layer {
            guard let layerCount else {
                throw .invalid("'layer' needs 'num_hidden_layers' or 'layer_types' in 'config'")
            }
            guard layer >= 0, layer < layerCount else {
                throw .invalid("'layer' (\(layer)) must lie in 0..<\(layerCount), the layers of 'config' "
                             + "(num_hidden_layers)")
            }
            layerType = try self.layerType(of: layer, &text, layerTypes: layerTypes)
            ropeApplied = try noRopeFlag(of: layer, &text, layerCount: layerCount)
        }

        let defaults = RoPEObjectDefaults(
            maxPositionEmbeddings: try RoPEObjectDecoder.positiveInt(&text, "max_position_embeddings"),
            originalMaxPositionEmbeddings: try RoPEObjectDecoder.positiveInt(&text, "original_max_position_embeddings"))
        var theta = try text.double("rope_theta")
        let partialRotaryFactor = try text.double("partial_rotary_factor")
        var object = RoPEObject()
        if text.contains("rope_parameters"), var container = try text.object("rope_parameters") {
            let picks = container.isKeyedByLayerType(objectKeys: RoPEObjectDecoder.objectKeys)
                || requestedLayerType != nil
            if var entry = try RoPEParametersDecoder.entry(of: &container, layerType: picks ? layerType : nil,
                                                           defaults: defaults) {
                object = try RoPEObjectDecoder.decode(&entry, isParametersForm: true, defaults: defaults)
            } else {
                ropeApplied = false
            }
        } else if let localBase = try text.double("rope_local_base_freq"), layerType == "sliding_attention" {
            theta = localBase  // Gemma 3 4.x: local layers use default RoPE at their own base
        } else if var scaling = try text.object("rope_scaling") {
            object = try RoPEObjectDecoder.decode(&scaling, isParametersForm: false, defaults: defaults)
        }
        try RoPEParametersDecoder.apply(object, theta: theta, partialRotaryFactor: partialRotaryFactor, rotaryDim: nil,
                                        to: &parameters)
        let head = try headDimension(&text, layer: layer, layerType: layerType)
        return DecodedRoPE(parameters: parameters, configHeadDimension: head?.dimension,
                           configHeadDimensionSource: head?.source, ropeApplied: ropeApplied,
                           maxPositionEmbeddings: defaults.maxPositionEmbeddings)
    }

    /// `layer_types[layer]`, or for Gemma 3 4.x configs the type `sliding_window_pattern` implies.
    private static func layerType(of layer: Int, _ text: inout RequestFields,
                                  layerTypes: [String]?) throws(HTTPError) -> String? {
        if let layerTypes {
            guard layer < layerTypes.count else {
                throw .invalid("'layer' (\(layer)) is past the \(layerTypes.count) entries of 'config.layer_types'")
            }
            return layerTypes[layer]
        }
        // transformers' Gemma3TextConfig: layer i is full attention when (i + 1) % pattern == 0.
        guard let pattern = try RoPEObjectDecoder.positiveInt(&text, "sliding_window_pattern") else { return nil }
        return (layer + 1) % pattern == 0 ? "full_attention" : "sliding_attention"
    }

    /// Whether `layer` applies RoPE: Llama 4's `no_rope_layers` (0 = no RoPE), derived from
    /// `no_rope_layer_interval` when it is empty (every interval-th layer has none).
    private static func noRopeFlag(of layer: Int, _ text: inout RequestFields,
                                   layerCount: Int) throws(HTTPError) -> Bool {
        let grid = try text.integerGrid("no_rope_layers")
        let flags = grid?.values ?? []
        let interval = try RoPEObjectDecoder.positiveInt(&text, "no_rope_layer_interval")
        if flags.isEmpty {
            guard let interval else { return true }
            return (layer + 1) % interval != 0
        }
        // One 0 (no RoPE) or 1 flag per layer: anything else is a broken config, not a layer to guess about.
        guard grid?.shape == [layerCount], flags.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw .invalid("'\(text.prefix)no_rope_layers' must be a flat list of \(layerCount) flags, 0 or 1, one per "
                           + "layer (got shape \(grid?.shape ?? []))")
        }
        return flags[layer] != 0
    }

    /// The head dimension the config gives the layer, and the key it came from.
    private static func headDimension(_ text: inout RequestFields, layer: Int?,
                                      layerType: String?) throws(HTTPError) -> (dimension: Int, source: String)? {
        if layerType == "full_attention" {
            if let layer, var perLayer = try text.object("per_layer_config") {
                for name in perLayer.names where Int(name) == layer {
                    if var entry = try perLayer.object(name),
                       let dimension = try RoPEObjectDecoder.positiveInt(&entry, "head_dim") {
                        return (dimension, "per_layer_config.\(name).head_dim")
                    }
                }
            }
            if let dimension = try RoPEObjectDecoder.positiveInt(&text, "global_head_dim") {
                return (dimension, "global_head_dim")
            }
        }
        for name in ["qk_rope_head_dim", "head_dim"] {
            if let dimension = try RoPEObjectDecoder.positiveInt(&text, name) { return (dimension, name) }
        }
        // Both positive: a zero or negative count would divide by zero or give a negative dimension.
        if let hidden = try RoPEObjectDecoder.positiveInt(&text, "hidden_size"),
           let heads = try RoPEObjectDecoder.positiveInt(&text, "num_attention_heads") {
            return (hidden / heads, "hidden_size / num_attention_heads")
        }
        return nil
    }
}
