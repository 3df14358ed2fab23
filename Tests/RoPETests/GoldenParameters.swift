import Foundation
import RoPE

/// Test-only mapping of request fields (JSON body or query strings) onto `RoPEParameters`, following API.md and
/// the binding interpretations of `Tests/Golden/README.md`.
enum GoldenParameters {
    /// Builds the RoPE parameters of a request from its fields.
    static func parameters(from fields: [String: Any]) throws -> RoPEParameters {
        var parameters = RoPEParameters()
        if let theta = JSONValue.double(fields["rope_theta"]) { parameters.theta = theta }
        if let rotaryDim = JSONValue.int(fields["rotary_dim"]) {
            parameters.rotaryDimension = .count(rotaryDim)
        } else if let fraction = JSONValue.double(fields["partial_rotary_factor"]) {
            parameters.rotaryDimension = .fraction(fraction)
        }
        if let name = fields["layout"] as? String {
            guard let layout = RotationLayout(name: name) else { throw GoldenError.malformed("layout \(name)") }
            parameters.layout = layout
        }
        if let apply = JSONValue.bool(fields["apply_attention_scaling"]) { parameters.applyAttentionScaling = apply }
        parameters.scaling = try scaling(from: fields)
        return parameters
    }

    /// The `rope_scaling` object, or the flat keys of a query string / flat POST body.
    private static func scaling(from fields: [String: Any]) throws -> RoPEScaling {
        let object = fields["rope_scaling"] as? [String: Any] ?? fields
        let type = (object["rope_type"] ?? object["type"]) as? String ?? "default"
        let topLevelMaxPositions = JSONValue.int(fields["max_position_embeddings"])
        let maxPositions = JSONValue.int(object["max_position_embeddings"]) ?? topLevelMaxPositions
        let original = JSONValue.int(object["original_max_position_embeddings"])
        func factor() throws -> Double {
            guard let value = JSONValue.double(object["factor"]) else { throw GoldenError.malformed("factor") }
            return value
        }
        switch type {
        case "default":
            return .none
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
