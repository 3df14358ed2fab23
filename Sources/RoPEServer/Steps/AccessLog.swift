import TensorCodecs

/// The access log: one line per answered request (method, path, status, bytes, duration, request id), at `info`,
/// or `error` for a 5xx answer, written by `RequestLog` in its format.
struct AccessLog: Sendable {
    /// Where the lines go, and the level and format in force.
    let log: RequestLog

    /// Writes the line for one answered request. This runs for every request, so the JSON line is written byte by
    /// byte into one buffer: string interpolation would cost a small request a good share of its instructions.
    func write(method: String, path: String, status: Int, requestBytes: Int, responseBytes: Int,
               duration: Duration, requestID: String) {
        let level: LogLevel = status >= 500 ? .error : .info
        guard level >= log.level else { return }
        let microseconds = Int(duration.components.seconds * 1_000_000
                               + duration.components.attoseconds / 1_000_000_000_000)
        guard log.format == .json else {
            let milliseconds = "\(microseconds / 1000).\(String(microseconds % 1000 + 1000).dropFirst())"
            log.event("request", level: level, [
                ("method", method), ("path", path), ("status", String(status)),
                ("request_bytes", String(requestBytes)), ("response_bytes", String(responseBytes)),
                ("duration_ms", milliseconds), ("request_id", requestID),
            ])
            return
        }
        var line = ResponseBuffer(capacity: 256 + path.utf8.count + requestID.utf8.count)
        line.append(StaticString("{\"ts\":\""))
        RequestLog.writeTimestamp(to: &line)
        line.append(StaticString("\",\"level\":\""))
        line.append(level == .error ? StaticString("error") : StaticString("info"))
        line.append(StaticString("\",\"event\":\"request\",\"method\":"))
        JSONStringEscaper.write(method, to: &line)
        line.append(StaticString(",\"path\":"))
        JSONStringEscaper.write(path, to: &line)
        line.append(StaticString(",\"status\":\""))
        RequestLog.writeDecimal(status, to: &line)
        line.append(StaticString("\",\"request_bytes\":\""))
        RequestLog.writeDecimal(requestBytes, to: &line)
        line.append(StaticString("\",\"response_bytes\":\""))
        RequestLog.writeDecimal(responseBytes, to: &line)
        line.append(StaticString("\",\"duration_ms\":\""))
        RequestLog.writeDecimal(microseconds / 1000, to: &line)
        line.append(UInt8(ascii: "."))
        RequestLog.writeDecimal(microseconds % 1000, width: 3, to: &line)
        line.append(StaticString("\",\"request_id\":"))
        JSONStringEscaper.write(requestID, to: &line)
        line.append(StaticString("}\n"))
        line.withUnsafeBytes { log.write($0) }
    }
}
