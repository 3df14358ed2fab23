import RoPE
import TensorCodecs

/// The answer of `GET /info`: version, thread count, limits, defaults and the names the requests may use.
struct InfoResponse: EndpointResponse {
    static let formats: [ResponseFormat] = [.json]

    var configuration: ServerConfiguration
    var version: String
    /// The engine's element count from which work is split across threads.
    var parallelThreshold: Int

    consuming func response(as format: ResponseFormat) -> HTTPResponse {
        let limits = configuration.limits
        let defaults = RoPEParameters()
        var writer = JSONWriter(capacity: 1024)
        writer.beginObject()
        writer.key("name")
        writer.value("rope-server")
        writer.key("version")
        writer.value(version)
        writer.key("threads")
        writer.value(configuration.effectiveThreads)
        writer.key("parallel_threshold")
        writer.value(parallelThreshold)
        writer.key("limits")
        writer.beginObject()
        writer.key("max_body_bytes"); writer.value(limits.maxBodyBytes)
        writer.key("max_tensor_elements"); writer.value(limits.maxTensorElements)
        writer.key("max_dimension"); writer.value(limits.maxDimension)
        writer.key("max_sequence_length"); writer.value(limits.maxSequenceLength)
        writer.key("max_attention_scores"); writer.value(limits.maxAttentionScores)
        writer.key("max_json_depth"); writer.value(limits.maxJSONDepth)
        writer.key("max_number_length"); writer.value(limits.maxNumberLength)
        writer.key("max_position"); writer.value(limits.maxPosition)
        writer.key("max_connections"); writer.value(limits.maxConnections)
        writer.key("connection_timeout"); writer.value(limits.connectionTimeoutSeconds)
        writer.key("connection_memory_limit"); writer.value(limits.connectionMemoryLimit)
        let budget = InflightBudget(limits: limits)
        writer.key("max_inflight_bytes"); writer.value(budget.bytes)
        writer.key("max_inflight_bytes_source"); writer.value(budget.source.rawValue)
        writer.key("admission_wait_ms"); writer.value(limits.admissionWaitMilliseconds)
        writer.endObject()
        writer.key("defaults")
        writer.beginObject()
        writer.key("rope_theta"); writer.value(defaults.theta)
        writer.key("layout"); writer.value(defaults.layout.rawValue)
        writer.key("rope_type"); writer.value("default")
        writer.key("apply_attention_scaling"); writer.value(defaults.applyAttentionScaling)
        writer.key("xpos_scale_base"); writer.value(Int(XPos.defaultScaleBase))
        writer.endObject()
        writer.key("rope_types")
        writer.beginArray()
        for type in RoPEObjectDecoder.ScalingType.allCases { writer.value(type.rawValue) }
        writer.endArray()
        // Where the RoPE parameters may be given, and the keys of one RoPE object (rope_scaling / rope_parameters).
        writer.key("rope_fields")
        writer.beginArray()
        for name in RoPEParametersDecoder.topLevelNames { writer.value(name) }
        writer.endArray()
        writer.key("rope_object_keys")
        writer.beginArray()
        for name in RoPEObjectDecoder.objectKeys { writer.value(name) }
        writer.endArray()
        writer.key("layouts")
        writer.beginArray()
        for name in ["half", "interleaved", "neox", "gptj"] { writer.value(name) }
        writer.endArray()
        writer.endObject()
        return .json(writer)
    }
}
