import Foundation

/// Structured log lines (one JSON object per line) on standard error.
public enum ServerLog {
    /// The startup line with the effective configuration.
    public static func startup(settings: ServerSettings, port: Int, openAPIFound: Bool) {
        var fields: [String: String] = ["port": String(port), "threads": String(settings.server.effectiveThreads),
                                        "openapi_found": String(openAPIFound)]
        for option in ServerSettings.options where option.key != "port" {
            fields[option.key] = option.read(settings)
        }
        event("listening", fields)
    }

    /// Writes `{"ts": ..., "event": name, ...fields}`.
    public static func event(_ name: String, _ fields: [String: String]) {
        var line = "{\"ts\":\"\(timestamp())\",\"event\":\(quoted(name))"
        for key in fields.keys.sorted() {
            line += ",\(quoted(key)):\(quoted(fields[key]!))"
        }
        line += "}\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601)
    }

    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
