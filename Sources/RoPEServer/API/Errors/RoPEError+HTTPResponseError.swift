import RoPE

/// An engine failure answers for itself: 422 for bad parameters or shapes, 413 for a limit.
extension RoPEError: HTTPResponseError {
    /// The status of the failure's kind.
    public var status: Int { response.status }
    /// The `error_type` of the failure's kind.
    public var errorType: String { response.type }

    /// The failure as the service's error of the same status and kind.
    private var response: HTTPError {
        switch kind {
        case .invalidParameter, .shapeMismatch: .invalid(message)
        case .limitExceeded: .tooLarge(message)
        }
    }
}
