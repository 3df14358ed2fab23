/// The service's own error value: an `HTTPResponseError` made from its parts, `{"error": message, "error_type":
/// type}` with `status` and `headers` (Hummingbird's `HTTPError`).
///
/// Every failure a client can cause ends as one of these, so no path answers with HTML or drops the connection.
/// The few requests libmicrohttpd refuses before any handler runs get the same shape from the library itself
/// (deps/libmicrohttpd/json-errors.patch), with these kinds for its statuses: 400 `malformed_request`,
/// 413 `payload_too_large`, 414 `uri_too_long`, 431 `header_fields_too_large`, 505 `http_version_not_supported`,
/// 500 `internal_error`.
public struct HTTPError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status code (400, 404, 405, 413, 415, 422, 429, 503, 500).
    public var status: Int
    /// A stable machine-readable kind, e.g. `invalid_json`, `validation_error`.
    public var type: String
    /// A sentence for people that names the offending field.
    public var message: String
    /// Extra headers, e.g. `Allow` on 405.
    public var headers: [(name: String, value: String)]

    /// Creates an error with its status, kind and message.
    public init(status: Int, type: String, _ message: String, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.type = type
        self.message = message
        self.headers = headers
    }

    /// The `error_type` of the response: `type`.
    public var errorType: String { type }

    public var description: String { "\(status) \(type): \(message)" }

    public static func == (lhs: HTTPError, rhs: HTTPError) -> Bool {
        lhs.status == rhs.status && lhs.type == rhs.type && lhs.message == rhs.message
            && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

extension HTTPError {
    /// 400: the body is not valid JSON or not a valid .npy file.
    public static func malformed(_ message: String) -> HTTPError {
        HTTPError(status: 400, type: "malformed_request", message)
    }
    /// 422: well-formed input that breaks the contract (the message names the field).
    public static func invalid(_ message: String) -> HTTPError {
        HTTPError(status: 422, type: "validation_error", message)
    }
    /// 413: a size limit was exceeded.
    public static func tooLarge(_ message: String) -> HTTPError {
        HTTPError(status: 413, type: "payload_too_large", message)
    }
    /// 415: a content type the endpoint does not read.
    public static func unsupportedMediaType(_ message: String) -> HTTPError {
        HTTPError(status: 415, type: "unsupported_media_type", message)
    }
    /// 404: no route for the path.
    public static func notFound(path: String) -> HTTPError {
        HTTPError(status: 404, type: "not_found", "no endpoint at '\(path)'; see GET /openapi.yaml for the routes")
    }
    /// 405: the path exists but not with this method.
    public static func methodNotAllowed(method: String, path: String, allowed: [String]) -> HTTPError {
        HTTPError(status: 405, type: "method_not_allowed",
                  "\(method) is not allowed on \(path); allowed: \(allowed.joined(separator: ", "))",
                  headers: [("Allow", allowed.joined(separator: ", "))])
    }
    /// 503: the server is draining or over its connection budget.
    public static func unavailable(_ message: String) -> HTTPError {
        HTTPError(status: 503, type: "unavailable", message)
    }
    /// 500: a failure that is not the client's (a thrown error that is not an `HTTPResponseError`); the message
    /// tells nothing of the server's insides.
    public static let internalError = HTTPError(status: 500, type: "internal_error",
                                                "the server failed to answer this request (internal error)")
}

extension HTTPError {
    /// 503 `overloaded` with `Retry-After`: the memory budget for requests in flight is in use; the request was not
    /// read.
    static func overloaded(_ message: String) -> HTTPError {
        HTTPError(status: 503, type: "overloaded", message, headers: [("Retry-After", "1")])
    }
}
