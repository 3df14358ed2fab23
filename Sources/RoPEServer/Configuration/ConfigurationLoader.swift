import Foundation
import TensorCodecs

/// Builds `ServerSettings` from, in increasing precedence: the configuration file, `ROPE_*` environment variables,
/// and command-line flags.
public enum ConfigurationLoader {
    /// What the command line asked for.
    public enum Outcome: Sendable {
        /// Run the server with these settings.
        case run(ServerSettings)
        /// Print this text (help or version) and exit 0.
        case print(String)
    }

    /// The file read when neither `--config` nor `ROPE_CONFIG` names one (skipped when absent).
    public static let defaultConfigPath = "config/rope-server.json"

    /// Parses `arguments` (without the program name) and `environment`.
    public static func load(arguments: [String], environment: [String: String]) throws(ConfigurationError) -> Outcome {
        var flags: [(option: ConfigurationOption, value: String)] = []
        var configPath: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--help" || argument == "-h" { return .print(help) }
            if argument == "--version" { return .print("rope-server \(RoPEService.version)") }
            guard argument.hasPrefix("--") else {
                throw ConfigurationError("unexpected argument '\(argument)' (see --help)")
            }
            var name = argument
            var value: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            if value == nil {
                guard index < arguments.count else { throw ConfigurationError("\(name) needs a value (see --help)") }
                value = arguments[index]
                index += 1
            }
            if name == "--config" {
                configPath = value
                continue
            }
            guard let option = ServerSettings.options.first(where: { $0.flag == name }) else {
                throw ConfigurationError("unknown flag '\(name)' (see --help)")
            }
            flags.append((option, value!))
        }

        var settings = ServerSettings()
        let explicitPath = configPath ?? environment["ROPE_CONFIG"]
        let path = explicitPath ?? defaultConfigPath
        if explicitPath != nil || FileManager.default.fileExists(atPath: path) {
            try applyFile(at: path, to: &settings)
        }
        for option in ServerSettings.options {
            if let value = environment[option.environmentVariable] {
                do throws(ConfigurationError) {
                    try option.apply(&settings, value)
                } catch {
                    throw ConfigurationError("\(option.environmentVariable): \(error.description)")
                }
            }
        }
        for (option, value) in flags {
            do throws(ConfigurationError) {
                try option.apply(&settings, value)
            } catch {
                throw ConfigurationError("\(option.flag): \(error.description)")
            }
        }
        return .run(settings)
    }

    /// Applies a JSON object file whose keys are the options' keys.
    static func applyFile(at path: String, to settings: inout ServerSettings) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read the configuration file '\(path)'")
        }
        let parsed: Result<JSONRequestBody, CodecError> = data.withUnsafeBytes { bytes in
            Result { () throws(CodecError) in
                try JSONRequestReader.parse(bytes, tensorFields: [], limits: CodecLimits())
            }
        }
        guard case .success(let file) = parsed else {
            if case .failure(let error) = parsed {
                throw ConfigurationError(
                    "the configuration file '\(path)' is not a valid JSON object: \(error.message)")
            }
            return
        }
        for (key, value) in file.fields.members {
            guard let option = ServerSettings.options.first(where: { $0.key == key }) else {
                throw ConfigurationError("\(path): unknown key '\(key)'")
            }
            let text: String
            switch value {
            case .string(let string): text = string
            case .number(let number): text = number.literal
            default: throw ConfigurationError("\(path): '\(key)' must be a string or a number")
            }
            do throws(ConfigurationError) {
                try option.apply(&settings, text)
            } catch {
                throw ConfigurationError("\(path): \(error.description)")
            }
        }
    }

    /// The `--help` text: every flag with its environment variable and default.
    public static var help: String {
        var lines = [
            "rope-server \(RoPEService.version): Rotary Position Embeddings over HTTP",
            "",
            "usage: rope-server [--config FILE] [--flag VALUE ...]",
            "",
            "Precedence: flags > ROPE_* environment variables > configuration file (default \(defaultConfigPath)).",
            "",
            "  --config FILE  (ROPE_CONFIG)  JSON file whose keys are the names below without '--', with '_'",
        ]
        for option in ServerSettings.options {
            lines.append("  \(option.flag) VALUE  (\(option.environmentVariable), default \(option.defaultValue))")
            lines.append("      \(option.help)")
        }
        lines.append("  --help, --version")
        return lines.joined(separator: "\n")
    }
}
