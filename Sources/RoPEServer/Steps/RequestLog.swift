import Foundation
import TensorCodecs

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

/// Structured log lines on standard error: one per request (rendered by `AccessLog`), plus lifecycle events.
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

    /// `value` (>= 0) in decimal, zero-padded to at least `width` digits.
    static func writeDecimal(_ value: Int, width: Int = 1, to buffer: inout ResponseBuffer) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 24 digits, more than Int holds
        withUnsafeMutableBytes(of: &digits) { scratch in
            var remaining = UInt(max(value, 0))
            var start = scratch.count
            repeat {
                start -= 1
                scratch[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0 || scratch.count - start < width
            buffer.append(UnsafeRawBufferPointer(rebasing: scratch[start...]))
        }
    }

    /// Writes `timestamp()` into `buffer`.
    static func writeTimestamp(to buffer: inout ResponseBuffer) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        writeDecimal(Int(parts.tm_year) + 1900, width: 4, to: &buffer)
        buffer.append(UInt8(ascii: "-"))
        writeDecimal(Int(parts.tm_mon) + 1, width: 2, to: &buffer)
        buffer.append(UInt8(ascii: "-"))
        writeDecimal(Int(parts.tm_mday), width: 2, to: &buffer)
        buffer.append(UInt8(ascii: "T"))
        writeDecimal(Int(parts.tm_hour), width: 2, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        writeDecimal(Int(parts.tm_min), width: 2, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        writeDecimal(Int(parts.tm_sec), width: 2, to: &buffer)
        buffer.append(UInt8(ascii: "."))
        writeDecimal(now.tv_nsec / 1_000_000, width: 3, to: &buffer)
        buffer.append(UInt8(ascii: "Z"))
    }

    private func render(_ fields: [(String, String)]) -> String {
        switch format {
        case .json:
            return "{" + fields.map { "\(Self.quoted($0.0)):\(Self.quoted($0.1))" }.joined(separator: ",") + "}\n"
        case .text:
            return fields.map { key, value in
                let needsQuotes = value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
                return needsQuotes ? "\(key)=\(Self.quoted(value))" : "\(key)=\(value)"
            }.joined(separator: " ") + "\n"
        }
    }

    private func write(_ line: String) {
        var line = line
        line.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    /// One write(2) of the whole line (retried only for a partial write), so lines never interleave.
    func write(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(2, base + offset, bytes.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }

    /// UTC time as `2026-11-28T07:41:02.123Z`, formatted by hand: Foundation's ISO 8601 formatter is too slow for a
    /// line written on every request (BENCHMARKS.md).
    static func timestamp() -> String {
        var buffer = ResponseBuffer(capacity: 32)
        writeTimestamp(to: &buffer)
        return buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// A JSON string literal, escaped as the request line's strings are (`JSONStringEscaper`).
    static func quoted(_ text: String) -> String {
        var buffer = ResponseBuffer(capacity: text.utf8.count + 2)
        JSONStringEscaper.write(text, to: &buffer)
        return buffer.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}
