/// An error that knows the JSON error response it becomes: `{"error": message, "error_type": errorType}` with
/// `status` and `headers` (the model is Hummingbird's `HTTPResponseError`).
///
/// Handlers throw whatever fails; `Router.respond(to:)` turns an error of this kind into its response, and any
/// other error into a 500 `internal_error`.
public protocol HTTPResponseError: Error {
    /// The HTTP status code.
    var status: Int { get }
    /// A stable machine-readable kind, e.g. `validation_error`.
    var errorType: String { get }
    /// A sentence for people that names the offending field.
    var message: String { get }
    /// Extra headers, e.g. `Allow` on 405.
    var headers: [(name: String, value: String)] { get }
}

extension HTTPResponseError {
    /// No extra headers.
    public var headers: [(name: String, value: String)] { [] }
}
