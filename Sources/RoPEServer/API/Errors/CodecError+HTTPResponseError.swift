import RoPE
import TensorCodecs

extension HTTPError {
    /// The response status for a codec failure: 400 malformed, 422 invalid, 413 too large, 415 unsupported.
    init(_ error: CodecError) {
        switch error.kind {
        case .malformed: self = .malformed(error.message)
        case .invalid: self = .invalid(error.message)
        case .tooLarge: self = .tooLarge(error.message)
        case .unsupported: self = .unsupportedMediaType(error.message)
        }
    }

    /// The response status for an engine failure: 422 for bad parameters or shapes, 413 for limits.
    init(_ error: RoPEError) {
        switch error.kind {
        case .invalidParameter, .shapeMismatch: self = .invalid(error.message)
        case .limitExceeded: self = .tooLarge(error.message)
        }
    }
}
