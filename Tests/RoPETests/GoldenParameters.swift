import Foundation
import RoPE

/// Test-only mapping of request fields (JSON body or query strings) onto `RoPEParameters`, following openapi.yaml
/// and the binding interpretations of `Tests/Golden/README.md`.
enum GoldenParameters {
    /// Builds the RoPE parameters of a request from its fields; a NoPE layer is an error here.
    static func parameters(from fields: [String: Any]) throws -> RoPEParameters {
        guard let parameters = try layerParameters(from: fields) else {
            throw GoldenError.malformed("the request picks a layer without RoPE")
        }
        return parameters
    }

    /// Builds the RoPE parameters of a request from its fields (legacy, `rope_parameters` or `config`); nil for a
    /// layer without RoPE (a null layer-type entry, or Llama 4's `no_rope_layers`).
    static func layerParameters(from fields: [String: Any]) throws -> RoPEParameters? {
        var parameters = RoPEParameters()
        if let name = fields["layout"] as? String {
            guard let layout = RotationLayout(name: name) else { throw GoldenError.malformed("layout \(name)") }
            parameters.layout = layout
        }
        if let apply = JSONValue.bool(fields["apply_attention_scaling"]) { parameters.applyAttentionScaling = apply }
        var object: [String: Any]
        var theta = JSONValue.double(fields["rope_theta"])
        var partial = JSONValue.double(fields["partial_rotary_factor"])
        var maxPositions = JSONValue.int(fields["max_position_embeddings"])
        if let config = fields["config"] as? [String: Any] {
            let text = config["text_config"] as? [String: Any] ?? config
            var layerType = fields["layer_type"] as? String
            if let layer = JSONValue.int(fields["layer"]) {
                if let flags = text["no_rope_layers"] as? [Any], JSONValue.int(flags[layer]) == 0 { return nil }
                if let types = text["layer_types"] as? [String] {
                    layerType = types[layer]
                } else if let pattern = JSONValue.int(text["sliding_window_pattern"]) {
                    layerType = (layer + 1) % pattern == 0 ? "full_attention" : "sliding_attention"
                }
            }
            maxPositions = JSONValue.int(text["max_position_embeddings"])
            partial = JSONValue.double(text["partial_rotary_factor"])
            theta = JSONValue.double(text["rope_theta"]) ?? RoPEParameters.defaultTheta
            if let ropeParameters = text["rope_parameters"] as? [String: Any] {
                guard let picked = try pick(ropeParameters, layerType: layerType) else { return nil }
                object = picked
            } else if let local = JSONValue.double(text["rope_local_base_freq"]), layerType == "sliding_attention" {
                object = ["rope_type": "default"]
                theta = local
            } else {
                object = text["rope_scaling"] as? [String: Any] ?? [:]
                if object["original_max_position_embeddings"] == nil {
                    object["original_max_position_embeddings"] = text["original_max_position_embeddings"]
                }
            }
        } else if let ropeParameters = fields["rope_parameters"] as? [String: Any] {
            guard let picked = try pick(ropeParameters, layerType: fields["layer_type"] as? String) else { return nil }
            object = picked
        } else {
            object = fields["rope_scaling"] as? [String: Any] ?? fields
        }
        if let value = JSONValue.double(object["rope_theta"]) { theta = value }
        if let value = JSONValue.double(object["partial_rotary_factor"]) { partial = value }
        if let theta { parameters.theta = theta }
        if let rotaryDim = JSONValue.int(fields["rotary_dim"]) {
            parameters.rotaryDimension = .count(rotaryDim)
        } else if let partial {
            parameters.rotaryDimension = .fraction(partial)
        }
        if let section = object["mrope_section"] as? [Any] {
            parameters.mropeSection = MRoPESection(counts: section.compactMap(JSONValue.int),
                                                   interleaved: JSONValue.bool(object["mrope_interleaved"]) ?? false)
        }
        parameters.scaling = try scaling(from: object, topLevelMaxPositions: maxPositions)
        if case .proportional(var proportional) = parameters.scaling {
            proportional.partialRotaryFactor = partial ?? 1
            parameters.scaling = .proportional(proportional)
            parameters.rotaryDimension = .full
        }
        return parameters
    }

    /// The entry of a `rope_parameters` object: itself when flat, else the one `layerType` names (nil: no RoPE).
    private static func pick(_ object: [String: Any], layerType: String?) throws -> [String: Any]? {
        let nested = !object.isEmpty && object.values.allSatisfy { $0 is [String: Any] || $0 is NSNull }
        guard nested else { return object }
        guard let layerType, let entry = object[layerType] else { throw GoldenError.malformed("layer_type") }
        return entry as? [String: Any]
    }

    /// The scaling of a RoPE object: `rope_scaling`, a `rope_parameters` entry, or the flat keys of a query string.
    private static func scaling(from object: [String: Any], topLevelMaxPositions: Int?) throws -> RoPEScaling {
        let type = (object["rope_type"] ?? object["type"]) as? String ?? "default"
        let maxPositions = JSONValue.int(object["max_position_embeddings"]) ?? topLevelMaxPositions
        let original = JSONValue.int(object["original_max_position_embeddings"])
        func factor() throws -> Double {
            guard let value = JSONValue.double(object["factor"]) else { throw GoldenError.malformed("factor") }
            return value
        }
        switch type {
        case "default", "mrope":
            return .none
        case "proportional":
            return .proportional(ProportionalScaling(factor: JSONValue.double(object["factor"]) ?? 1))
        case "linear":
            return .linear(factor: try factor())
        case "ntk":
            return .ntk(factor: try factor())
        case "dynamic":
            guard let mpe = maxPositions ?? original else { throw GoldenError.malformed("max_position_embeddings") }
            return .dynamic(DynamicNTKScaling(factor: try factor(), maxPositionEmbeddings: mpe))
        case "yarn":
            guard let originalContext = original ?? maxPositions else {
                throw GoldenError.malformed("original_max_position_embeddings")
            }
            var yarn = YaRNScaling(factor: try factor(), originalMaxPositionEmbeddings: originalContext)
            if let value = JSONValue.double(object["beta_fast"]) { yarn.betaFast = value }
            if let value = JSONValue.double(object["beta_slow"]) { yarn.betaSlow = value }
            yarn.mscale = JSONValue.double(object["mscale"])
            yarn.mscaleAllDim = JSONValue.double(object["mscale_all_dim"])
            yarn.attentionFactor = JSONValue.double(object["attention_factor"])
            if let value = JSONValue.bool(object["truncate"]) { yarn.truncate = value }
            return .yarn(yarn)
        case "llama3":
            var llama3 = Llama3Scaling(factor: try factor())
            if let value = JSONValue.double(object["low_freq_factor"]) { llama3.lowFreqFactor = value }
            if let value = JSONValue.double(object["high_freq_factor"]) { llama3.highFreqFactor = value }
            if let original { llama3.originalMaxPositionEmbeddings = original }
            return .llama3(llama3)
        case "longrope":
            guard let originalContext = original ?? maxPositions else {
                throw GoldenError.malformed("original_max_position_embeddings")
            }
            let resolvedFactor: Double
            if let explicit = JSONValue.double(object["factor"]) {
                resolvedFactor = explicit
            } else if let maxPositions {
                resolvedFactor = Double(maxPositions) / Double(originalContext)
            } else {
                throw GoldenError.malformed("longrope factor")
            }
            var longrope = LongRoPEScaling(
                shortFactor: JSONValue.flattenNumbers(object["short_factor"] ?? []).compactMap { $0 },
                longFactor: JSONValue.flattenNumbers(object["long_factor"] ?? []).compactMap { $0 },
                originalMaxPositionEmbeddings: originalContext, factor: resolvedFactor)
            longrope.attentionFactor = JSONValue.double(object["attention_factor"])
            return .longrope(longrope)
        default:
            throw GoldenError.malformed("rope_type \(type)")
        }
    }
}
