import RoPE

/// `GET /decay`: the RoFormer long-term decay curve as JSON, or as an SVG plot for `Accept: image/svg+xml`.
enum DecayEndpoint {
    static func respond(to request: HTTPRequest, context: ServiceContext) throws -> HTTPResponse {
        let format = request.responseFormat(offered: DecayResponse.formats)
        let decay = try DecayRequest(request, limits: context.limits)
        // Two curves of `points` doubles and their JSON text (an SVG is smaller).
        try request.reserveMemory(decay.points.saturatingMultiply(2 * (8 + 48)))
        let curve = try DecayCurve(dimension: decay.dimension, theta: decay.theta, maxDistance: decay.maxDistance,
                                   points: decay.points)
        return DecayResponse(curve: curve, dimension: decay.dimension, theta: decay.theta).response(as: format)
    }
}
