import RoPE
import TensorCodecs

/// `GET /decay`: the RoFormer long-term decay curve as JSON, or as an SVG plot for `Accept: image/svg+xml`.
enum DecayHandler {
    static func handle(_ request: HTTPRequest, context: ServiceContext) throws(HTTPError) -> HTTPResponse {
        let decay = try DecayRequest(request, limits: context.limits)
        // Two curves of `points` doubles and their JSON text (an SVG is smaller).
        try request.reserveMemory(decay.points.saturatingMultiply(2 * (8 + 48)))
        let curve: DecayCurve
        do {
            curve = try DecayCurve(dimension: decay.dimension, theta: decay.theta, maxDistance: decay.maxDistance,
                                   points: decay.points)
        } catch {
            throw HTTPError(error)
        }
        if request.accepts("image/svg+xml") {
            let svg = DecayPlot(curve: curve, dimension: decay.dimension, theta: decay.theta).svg
            return .text(svg, contentType: "image/svg+xml")
        }
        var writer = JSONWriter(capacity: 64 + curve.distance.count * 48)
        writer.beginObject()
        writer.key("distance")
        writer.doubles(curve.distance, shape: [curve.distance.count])
        writer.key("bound")
        writer.doubles(curve.bound, shape: [curve.bound.count])
        writer.endObject()
        return .json(writer)
    }
}
