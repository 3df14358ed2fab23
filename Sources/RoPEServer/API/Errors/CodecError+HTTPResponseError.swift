import TensorCodecs

/// A codec failure answers for itself: 400 malformed, 422 invalid, 413 too large, 415 unsupported.
extension CodecError: HTTPResponseError {
    /// The status of the failure's kind.
    public var status: Int { response.status }
    /// The `error_type` of the failure's kind.
    public var errorType: String { response.type }

    /// The failure as the service's error of the same status and kind.
    private var response: HTTPError {
        switch kind {
        case .malformed: .malformed(message)
        case .invalid: .invalid(message)
        case .tooLarge: .tooLarge(message)
        case .unsupported: .unsupportedMediaType(message)
        }
    }
}
