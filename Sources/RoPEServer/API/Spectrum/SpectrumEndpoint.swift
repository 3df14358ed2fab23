import RoPE

/// `GET`/`POST /spectrum`: what the scaling does to each frequency slot, and the angle precision report; JSON, or
/// an SVG chart for `Accept: image/svg+xml`.
enum SpectrumEndpoint {
    static func respond(to request: HTTPRequest, context: ServiceContext) throws -> HTTPResponse {
        let format = request.responseFormat(offered: SpectrumResponse.formats)
        let spectrumRequest = try SpectrumRequest(request, limits: context.limits)
        // Per slot: about ten float64 arrays and their JSON text, doubled while the writer grows; per precision
        // position, its errors and their text.
        let slots = spectrumRequest.dimension / 2
        try request.reserveMemory(slots.saturatingMultiply(400)
            .saturatingAdd((spectrumRequest.precisionPositions?.count ?? 0).saturatingMultiply(400)))
        let (spectrum, precision) = try context.runtime.metrics.timeEngine(route: "/spectrum") {
            () throws(RoPEError) in
            let spectrum = try Spectrum(parameters: spectrumRequest.parameters,
                                        headDimension: spectrumRequest.dimension,
                                        context: spectrumRequest.context,
                                        maxPositionEmbeddings: spectrumRequest.maxPositionEmbeddings)
            return (spectrum, spectrumRequest.precisionPositions.map(spectrum.precision(positions:)))
        }
        return SpectrumResponse(spectrum: spectrum, precision: precision, dimension: spectrumRequest.dimension,
                                parameters: spectrumRequest.parameters, ropeApplied: spectrumRequest.ropeApplied)
            .response(as: format)
    }
}
