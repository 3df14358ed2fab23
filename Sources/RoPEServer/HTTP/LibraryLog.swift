import Foundation

/// The requests libmicrohttpd answers itself (malformed or oversized heads, before any handler runs): counted in
/// /metrics and logged as `library_error` lines.
struct LibraryLog: Sendable {
    let runtime: ServerRuntime

    /// Records one error answer: its status and the text of its JSON body.
    func receive(status: Int, message: String) {
        let errorType = Self.errorType(status: status)
        runtime.metrics.recordLibraryError(status: status, errorType: errorType)
        runtime.log.event("library_error", level: status >= 500 ? .error : .warning,
                          [("status", String(status)), ("error_type", errorType), ("error", message)])
    }

    /// The `error_type` libmicrohttpd's JSON answer carries for `status` (deps/libmicrohttpd/json-errors.patch).
    static func errorType(status: Int) -> String {
        switch status {
        case 400: "malformed_request"
        case 413: "payload_too_large"
        case 414: "uri_too_long"
        case 431: "header_fields_too_large"
        case 505: "http_version_not_supported"
        default: "internal_error"
        }
    }
}

/// libmicrohttpd's error callback (deps/libmicrohttpd/error-callback.patch): `context` is the server.
func mhdLibraryError(context: UnsafeMutableRawPointer?, status: UInt32, message: UnsafePointer<CChar>?,
                     length: Int) {
    guard let context else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    let text = message.map { pointer in
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    } ?? ""
    LibraryLog(runtime: server.runtime).receive(status: Int(status), message: text)
}
