import RoPE
import TensorCodecs

/// `GET`/`POST /frequencies`: inverse frequencies, wavelengths, attention scaling and optional cos/sin tables.
enum FrequenciesEndpoint {
    static func respond(to request: HTTPRequest, context: ServiceContext) throws -> HTTPResponse {
        let format = request.responseFormat(offered: FrequenciesResponse.formats)
        let frequencies = try FrequenciesRequest(request, limits: context.limits)
        if let sequenceLength = frequencies.sequenceLength {
            // cos and sin tables of seq_len x dim/2 float32 each, and their JSON text (or .npy copy).
            let cells = sequenceLength.saturatingMultiply(frequencies.dimension)
            let perCell = format == .npy ? 8 : 4 + RequestMemoryEstimate.jsonTextBytesPerNumber
            try request.reserveMemory(cells.saturatingMultiply(perCell))
        }
        let table = try context.engine.frequencyTables.table(parameters: frequencies.parameters,
                                                             headDimension: frequencies.dimension,
                                                             sequenceLength: frequencies.sequenceLength)
        // The cos/sin tables of positions 0 ..< seq_len, at the same sequence length as `table`.
        let cosineSine = try frequencies.sequenceLength.map { sequenceLength throws(RoPEError) in
            try context.engine.cosineSineTable(parameters: frequencies.parameters,
                                               headDimension: frequencies.dimension,
                                               positions: Array(0..<sequenceLength))
        }
        return FrequenciesResponse(dimension: frequencies.dimension, table: table, cosineSine: cosineSine,
                                   position: frequencies.position, ropeApplied: frequencies.ropeApplied)
            .response(as: format)
    }
}
