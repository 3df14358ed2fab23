import RoPE

/// `GET`/`POST /frequencies`: inverse frequencies, wavelengths, attention scaling and optional cos/sin tables.
enum FrequenciesHandler {
    static func handle(_ request: HTTPRequest, context: ServiceContext) throws(HTTPError) -> HTTPResponse {
        let frequencies = try FrequenciesRequest(request, limits: context.limits)
        let table: FrequencyTable
        do {
            table = try FrequencyTable(parameters: frequencies.parameters, headDimension: frequencies.dimension,
                                       sequenceLength: frequencies.sequenceLength)
        } catch {
            throw HTTPError(error)
        }
        let half = table.rotaryDimension / 2
        var writer = JSONWriter(capacity: 256 + half * 48 + (frequencies.sequenceLength ?? 0) * half * 24)
        writer.beginObject()
        writer.key("dim")
        writer.value(frequencies.dimension)
        writer.key("rotary_dim")
        writer.value(table.rotaryDimension)
        writer.key("inv_freq")
        writer.doubles(table.inverseFrequencies, shape: [half])
        writer.key("wavelengths")
        writer.doubles(table.wavelengths, shape: [half])
        writer.key("attention_scaling")
        writer.value(table.appliedAttentionFactor)
        if let sequenceLength = frequencies.sequenceLength {
            let (cos, sin) = table.cosineSineTable(positions: Array(0..<sequenceLength))
            writer.key("cos")
            cos.withUnsafeBufferPointer { writer.tensor($0, shape: [sequenceLength, half]) }
            writer.key("sin")
            sin.withUnsafeBufferPointer { writer.tensor($0, shape: [sequenceLength, half]) }
        }
        if let position = frequencies.position {
            writer.key("position")
            writer.value(position)
            writer.key("angles")
            writer.doubles(table.angles(atPosition: position), shape: [half])
        }
        writer.endObject()
        return .json(writer)
    }
}
