import RoPE
import TensorCodecs

/// The answer of `GET /decay`: the decay curve of a head dimension and base.
struct DecayResponse: EndpointResponse {
    static let formats: [ResponseFormat] = [.json, .svg]

    var curve: DecayCurve
    /// The head dimension d and the base theta the curve is for (the plot's caption).
    var dimension: Int
    var theta: Double

    consuming func response(as format: ResponseFormat) -> HTTPResponse {
        format == .svg ? svg : json
    }

    /// `{"distance": [...], "bound": [...]}`.
    private var json: HTTPResponse {
        var writer = JSONWriter(capacity: 64 + curve.distance.count * 48)
        writer.beginObject()
        writer.key("distance")
        writer.doubles(curve.distance, shape: [curve.distance.count])
        writer.key("bound")
        writer.doubles(curve.bound, shape: [curve.bound.count])
        writer.endObject()
        return .json(writer)
    }

    /// The curve as an SVG line plot.
    private var svg: HTTPResponse {
        let plot = DecayPlot(curve: curve, dimension: dimension, theta: theta)
        return .text(plot.svg, contentType: ResponseFormat.svg.mediaType)
    }
}
