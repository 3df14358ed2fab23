import RoPE
import TensorCodecs

/// `GET`/`POST /frequencies`: inverse frequencies, wavelengths, attention scaling and optional cos/sin tables.
enum FrequenciesHandler {
    static func handle(_ request: HTTPRequest, context: ServiceContext) throws(HTTPError) -> HTTPResponse {
        let frequencies = try FrequenciesRequest(request, limits: context.limits)
        if let sequenceLength = frequencies.sequenceLength {
            // cos and sin tables of seq_len x dim/2 float32 each, and their JSON text (or .npy copy).
            let cells = sequenceLength.saturatingMultiply(frequencies.dimension)
            let perCell = request.accepts("application/x-npy") ? 8 : 4 + RequestMemoryEstimate.jsonTextBytesPerNumber
            try request.reserveMemory(cells.saturatingMultiply(perCell))
        }
        let table: FrequencyTable
        do {
            table = try context.engine.frequencyTables.table(parameters: frequencies.parameters,
                                                             headDimension: frequencies.dimension,
                                                             sequenceLength: frequencies.sequenceLength)
        } catch {
            throw HTTPError(error)
        }
        let half = table.rotaryDimension / 2
        // The cos/sin tables of positions 0 ..< seq_len, at the same sequence length as `table`.
        let cosineSine: CosineSineTable?
        do {
            cosineSine = try frequencies.sequenceLength.map { sequenceLength throws(RoPEError) in
                try context.engine.cosineSineTable(parameters: frequencies.parameters,
                                                   headDimension: frequencies.dimension,
                                                   positions: Array(0..<sequenceLength))
            }
        } catch {
            throw HTTPError(error)
        }
        if request.accepts("application/x-npy") {
            return npy(table, cosineSine: cosineSine, frequencies: frequencies)
        }
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
        if let cosineSine {
            writer.key("cos")
            cosineSine.cosines.withUnsafeBufferPointer { writer.tensor($0, shape: [cosineSine.rows, half]) }
            writer.key("sin")
            cosineSine.sines.withUnsafeBufferPointer { writer.tensor($0, shape: [cosineSine.rows, half]) }
        }
        if let axes = table.mropeAxes {
            writer.key("mrope_axis")
            writer.beginArray()
            for axis in axes { writer.value(axis.name) }
            writer.endArray()
        }
        if !frequencies.ropeApplied {
            writer.key("rope_applied")
            writer.value(false)
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

    /// The tables as float32 .npy: `[2, seq_len, r/2]` (cos then sin) with `seq_len`, else `inv_freq` `[r/2]`.
    /// Scalars travel in headers.
    private static func npy(_ table: FrequencyTable, cosineSine: CosineSineTable?,
                            frequencies: FrequenciesRequest) -> HTTPResponse {
        let half = table.rotaryDimension / 2
        var headers = [("X-Rotary-Dim", String(table.rotaryDimension)),
                       ("X-Attention-Scaling", "\(table.appliedAttentionFactor)")]
        if let axes = table.mropeAxes { headers.append(("X-MRoPE-Axis", axes.map(\.name).joined(separator: ","))) }
        if !frequencies.ropeApplied { headers.append(("X-RoPE-Applied", "false")) }
        guard let cosineSine else {
            return .npy(Tensor(shape: [half], values: table.inverseFrequencies.map { Float($0) }), headers: headers)
        }
        return .npy(Tensor(shape: [2, cosineSine.rows, half], values: cosineSine.cosines + cosineSine.sines),
                    headers: headers)
    }
}
