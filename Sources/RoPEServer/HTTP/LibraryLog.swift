import Foundation

/// libmicrohttpd's own log messages: the requests it answers itself (malformed or oversized heads, before any
/// handler runs) are counted in /metrics and logged like requests; anything else it says is logged at debug level.
struct LibraryLog: Sendable {
    let runtime: ServerRuntime

    /// The prefix of the message libmicrohttpd logs when it answers a request with an error itself.
    private static let errorPrefix = "Error processing request (HTTP response code is "

    /// Handles one formatted message.
    func receive(_ line: String) {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix(Self.errorPrefix) else {
            runtime.log.event("libmicrohttpd", level: .debug, [("message", text)])
            return
        }
        let rest = text.dropFirst(Self.errorPrefix.count)
        let status = Int(rest.prefix { $0.isNumber }) ?? 500
        var message = String(rest.drop { $0.isNumber })
        if message.hasPrefix(" ('"), let end = message.range(of: "')", options: .backwards) {
            message = String(message[message.index(message.startIndex, offsetBy: 3)..<end.lowerBound])
        }
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

/// libmicrohttpd's log callback (through `rope_mhd_format_log`): `context` is the server.
func mhdLogLine(context: UnsafeMutableRawPointer?, line: UnsafePointer<CChar>?) {
    guard let context, let line else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue()
    LibraryLog(runtime: server.runtime).receive(String(cString: line))
}
