import Foundation

/// The requests libmicrohttpd answers itself (malformed or oversized heads, before any handler runs): counted in
/// /metrics and logged as `library_error` lines.
struct LibraryLog: Sendable {
    let runtime: ServerRuntime

    /// Records one error answer: its status, its `error_type` and the text of its JSON body.
    func receive(status: Int, errorType: String, message: String) {
        runtime.metrics.recordLibraryError(status: status, errorType: errorType)
        runtime.log.event("library_error", level: status >= 500 ? .error : .warning,
                          [("status", String(status)), ("error_type", errorType), ("error", message)])
    }
}

/// libmicrohttpd's error callback (deps/libmicrohttpd/error-callback.patch): `context` is the server; the kind is
/// the one json-errors.patch writes into the answer.
func mhdLibraryError(context: UnsafeMutableRawPointer?, status: UInt32, errorType: UnsafePointer<CChar>?,
                     message: UnsafePointer<CChar>?, length: Int) {
    guard let context else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    let text = message.map { pointer in
        String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    } ?? ""
    LibraryLog(runtime: server.runtime).receive(status: Int(status),
                                                errorType: errorType.map { String(cString: $0) } ?? "internal_error",
                                                message: text)
}
