/// How a POST body is encoded, from its Content-Type.
enum BodyEncoding {
    case json
    case npy

    /// The encoding named by the request's Content-Type; 415 for anything else.
    init(of request: HTTPRequest, allowsNPY: Bool) throws(HTTPError) {
        switch request.mediaType {
        case "application/json": self = .json
        case "application/x-npy" where allowsNPY: self = .npy
        case let other:
            let accepted = allowsNPY ? "application/json or application/x-npy" : "application/json"
            throw .unsupportedMediaType("Content-Type '\(other ?? "(none)")' is not supported here; send \(accepted)")
        }
    }
}
