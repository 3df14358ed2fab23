/// A format an endpoint can answer in: JSON always, a float32 .npy file for tensors, an SVG for plots.
public enum ResponseFormat: Sendable, Equatable {
    /// `application/json`, every endpoint's default.
    case json
    /// `application/x-npy`: a float32 NumPy file (/rotate, /attention, /frequencies).
    case npy
    /// `image/svg+xml`: a plot (/decay, /spectrum).
    case svg

    /// The media type of the format, as the `Content-Type` of the answer and as `Accept` names it.
    public var mediaType: String {
        switch self {
        case .json: "application/json"
        case .npy: "application/x-npy"
        case .svg: "image/svg+xml"
        }
    }

    /// The format to answer in, among `offered` (which holds `.json`), for the `Accept` header `accept`
    /// (RFC 9110 §12.5.1, with the service's rules in openapi.yaml):
    /// - JSON is the default: without `Accept`, and when nothing offered is acceptable (never 406).
    /// - Each format gets the weight of the most specific range that matches it (`type/subtype` over `type/*`
    ///   over `*/*`); `q=0` makes it unacceptable.
    /// - A format other than JSON must be named by its own media type; it is chosen when its weight is at least
    ///   JSON's (on a tie it wins, as it did before weights were read). Wildcards alone never select it.
    public init(negotiating accept: String?, offered: [ResponseFormat]) {
        self = .json
        guard let accept else { return }
        let header = AcceptHeader(accept)
        let jsonWeight = header.preference(for: ResponseFormat.json.mediaType)?.weight ?? 0
        var bestWeight = 0
        for format in offered where format != .json {
            guard let preference = header.preference(for: format.mediaType), preference.isNamed,
                  preference.weight > 0, preference.weight >= jsonWeight, preference.weight > bestWeight else {
                continue
            }
            self = format
            bestWeight = preference.weight
        }
    }
}
