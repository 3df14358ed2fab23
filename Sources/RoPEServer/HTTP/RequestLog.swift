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
        write(render([("ts", Self.timestamp()), ("level", level.rawValue), ("event", name)] + fields))
    }

    /// The line for one answered request (built in one string: this runs for every request).
    func request(method: String, path: String, status: Int, requestBytes: Int, responseBytes: Int,
                 duration: Duration, requestID: String) {
        let level: LogLevel = status >= 500 ? .error : .info
        guard level >= self.level else { return }
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let milliseconds = "\(microseconds / 1000).\(String(microseconds % 1000 + 1000).dropFirst())"
        guard format == .json else {
            event("request", level: level, [
                ("method", method), ("path", path), ("status", String(status)),
                ("request_bytes", String(requestBytes)), ("response_bytes", String(responseBytes)),
                ("duration_ms", milliseconds), ("request_id", requestID),
            ])
            return
        }
        write("{\"ts\":\"\(Self.timestamp())\",\"level\":\"\(level.rawValue)\",\"event\":\"request\",\"method\":\(Self.quoted(method)),"
            + "\"path\":\(Self.quoted(path)),\"status\":\"\(status)\",\"request_bytes\":\"\(requestBytes)\","
            + "\"response_bytes\":\"\(responseBytes)\",\"duration_ms\":\"\(milliseconds)\",\"request_id\":\(Self.quoted(requestID))}\n")
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

    /// UTC time as `2026-11-28T07:41:02.123Z`, formatted by hand: Foundation's ISO 8601 formatter cost a quarter
    /// of the throughput of small requests when every request is logged.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2)
            + "T" + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2)
            + "." + digits(Int32(now.tv_nsec / 1_000_000), 3) + "Z"
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
