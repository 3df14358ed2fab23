/// The body size limit (`max_body_bytes`) checked against the declared `Content-Length`, so that a body too large is
/// refused before a byte of it is read (a chunked body is checked as it arrives, by `PendingRequest`).
struct DeclaredBodySize: Sendable {
    /// The largest body accepted.
    let maxBodyBytes: Int

    /// 413 `payload_too_large` when `declaredLength` (nil for a chunked body) exceeds the limit.
    func check(declaredLength: Int?) throws(HTTPError) {
        guard let declaredLength, declaredLength > maxBodyBytes else { return }
        throw .tooLarge("request body of \(declaredLength) bytes exceeds the limit of \(maxBodyBytes) bytes "
                        + "(max_body_bytes)")
    }
}
