/// One configurable setting: its file key, environment variable and flag, and how to apply a textual value.
public struct ConfigurationOption: Sendable {
    /// Key in the JSON configuration file, e.g. `max_body_bytes`.
    public let key: String
    /// A one-line description for `--help`.
    public let help: String
    /// The default, as text, for `--help` and the README.
    public let defaultValue: String
    /// Parses `text` and stores it in the settings.
    let apply: @Sendable (inout ServerSettings, String) throws(ConfigurationError) -> Void
    /// The current value in the settings, as text.
    public let read: @Sendable (ServerSettings) -> String

    /// The flag, e.g. `--max-body-bytes`.
    public var flag: String { "--" + key.replacingOccurrences(of: "_", with: "-") }
    /// The environment variable, e.g. `ROPE_MAX_BODY_BYTES`.
    public var environmentVariable: String { "ROPE_" + key.uppercased() }
}

/// A configuration problem, reported to the operator before the server starts.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the setting and where it came from.
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

import Foundation
