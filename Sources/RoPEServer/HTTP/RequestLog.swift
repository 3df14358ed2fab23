import Foundation

/// Severity of a log line; lines below the configured level are dropped.
public enum LogLevel: String, Sendable, Hashable, CaseIterable, Comparable {
    case debug, info, warning, error

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }
}

/// How log lines are written: one JSON object per line, or `key=value` text.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    case json, text
}

/// Structured log lines on standard error: one per request, plus lifecycle events.
///
/// Each line is a single `write(2)` so lines from different worker threads never interleave.
public struct RequestLog: Sendable {
    /// The lowest level written.
    public var level: LogLevel
    /// The line format.
    public var format: LogFormat

    /// Creates a log writing lines at `level` and above.
    public init(level: LogLevel, format: LogFormat) {
        self.level = level
        self.format = format
    }

    /// Writes an event with ordered fields, e.g. `event("listening", [("port", "8080")])`.
    /// Lifecycle events pass `always: true`: operators and scripts rely on them whatever the level.
    public func event(_ name: String, level: LogLevel = .info, always: Bool = false, _ fields: [(String, String)]) {
        guard always || level >= self.level else { return }
        write(render([("ts", Date().formatted(.iso8601)), ("level", level.rawValue), ("event", name)] + fields))
    }

    /// The line for one answered request.
    func request(method: String, path: String, status: Int, requestBytes: Int, responseBytes: Int,
                 duration: Duration, requestID: String) {
        let level: LogLevel = status >= 500 ? .error : .info
        guard level >= self.level else { return }
        let milliseconds = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
        event("request", level: level, [
            ("method", method), ("path", path), ("status", String(status)),
            ("request_bytes", String(requestBytes)), ("response_bytes", String(responseBytes)),
            ("duration_ms", String(format: "%.3f", milliseconds)), ("request_id", requestID),
        ])
    }

    private func render(_ fields: [(String, String)]) -> String {
        switch format {
        case .json:
            return "{" + fields.map { "\(Self.quoted($0.0)):\(Self.quoted($0.1))" }.joined(separator: ",") + "}\n"
        case .text:
            return fields.map { key, value in
                value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? "\(key)=\(Self.quoted(value))" : "\(key)=\(value)"
            }.joined(separator: " ") + "\n"
        }
    }

    private func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
