import Foundation
import RoPE

/// Everything the `rope-server` process is configured with: the server configuration plus process-level settings.
public struct ServerSettings: Sendable, Hashable {
    /// Address, port, threads and limits.
    public var server = ServerConfiguration()
    /// Path of the OpenAPI document served at /openapi.yaml.
    public var openAPIPath = "openapi.yaml"
    /// Path of the explorer page served at /.
    public var explorerPath = "web/explorer.html"
    /// Seconds to wait for in-flight requests after SIGTERM/SIGINT before stopping.
    public var drainTimeoutSeconds = 10
    /// The lowest level of log line written.
    public var logLevel = LogLevel.info
    /// JSON lines or key=value text.
    public var logFormat = LogFormat.json

    /// The defaults.
    public init() {}

    /// Every option, in `--help` order. Upper bounds keep every size product the server forms (elements x bytes
    /// per element x formatting width) far inside Int, so no limit setting can make arithmetic overflow.
    public static let options: [ConfigurationOption] = [
        text("host", "address to listen on (IPv4 or IPv6 literal)", \.server.host),
        integer("port", "TCP port (0 = any free port)", 0...65_535, \.server.port),
        integer("threads", "worker threads (0 = one per core)", 0...1024, \.server.threads),
        integer("parallel_threshold", "tensor elements from which rotation uses every core",
                0...(1 << 40), \.server.parallelThreshold),
        integer("max_body_bytes", "largest request body in bytes (413 beyond)",
                1...(1 << 40), \.server.limits.maxBodyBytes),
        integer("max_tensor_elements", "largest tensor in elements (413 beyond)",
                1...(1 << 36), \.server.limits.maxTensorElements),
        integer("max_dimension", "largest head dimension d (413 beyond)", 2...(1 << 24), \.server.limits.maxDimension),
        integer("max_sequence_length", "largest sequence length, seq_len or points (413 beyond)",
                1...(1 << 36), \.server.limits.maxSequenceLength),
        integer("max_attention_scores", "largest attention score matrix in entries (413 beyond)",
                1...(1 << 36), \.server.limits.maxAttentionScores),
        integer("max_json_depth", "deepest JSON nesting (413 beyond)", 2...10_000, \.server.limits.maxJSONDepth),
        integer("max_number_length", "longest JSON number literal in characters (413 beyond)",
                16...1 << 20, \.server.limits.maxNumberLength),
        integer("max_position", "largest |position| after offset (422 beyond)",
                1...(1 << 52), \.server.limits.maxPosition),
        integer("max_connections", "most concurrent connections", 1...1 << 20, \.server.limits.maxConnections),
        integer("connection_timeout", "seconds an idle connection is kept",
                1...86_400, \.server.limits.connectionTimeoutSeconds),
        integer("connection_memory_limit", "bytes per connection for the request head, query arguments and buffers",
                4096...1 << 30, \.server.limits.connectionMemoryLimit),
        integer("max_inflight_bytes",
                "memory budget for requests in flight, in bytes (0 = half the cgroup or physical memory)",
                0...(1 << 50), \.server.limits.maxInflightBytes),
        integer("admission_wait_ms", "milliseconds a request over the memory budget waits before a 503",
                0...600_000, \.server.limits.admissionWaitMilliseconds),
        integer("drain_timeout", "seconds to finish in-flight requests on SIGTERM/SIGINT",
                0...3600, \.drainTimeoutSeconds),
        text("openapi", "path of the OpenAPI document served at /openapi.yaml", \.openAPIPath),
        text("explorer", "path of the explorer page served at /", \.explorerPath),
        choice("log_level", "lowest level logged: debug, info, warning, error", \.logLevel),
        choice("log_format", "log line format: json or text", \.logFormat),
        ConfigurationOption(key: "api_key",
                            help: "when set, every route but /health needs 'Authorization: Bearer <key>' "
                                + "(or the key as a Basic password)",
                            defaultValue: "(none)",
                            apply: { settings, text throws(ConfigurationError) in
                                settings.server.apiKey = text.isEmpty ? nil : text
                            },
                            read: { $0.server.apiKey == nil ? "(none)" : "(set)" }),
    ]

    /// An integer option whose default is the one `ServerSettings()` (and so `ServerLimits`) holds.
    private static func integer(_ key: String, _ help: String, _ range: ClosedRange<Int>,
                                _ path: WritableKeyPath<ServerSettings, Int> & Sendable) -> ConfigurationOption {
        ConfigurationOption(key: key, help: help, defaultValue: String(ServerSettings()[keyPath: path]),
                            apply: { settings, text throws(ConfigurationError) in
                                guard let value = Int(text.trimmingCharacters(in: .whitespaces)),
                                      range.contains(value) else {
                                    let upper = range.upperBound == Int.max ? "" : " ... \(range.upperBound)"
                                    throw ConfigurationError(
                                        "\(key) must be an integer in \(range.lowerBound)\(upper) (got '\(text)')")
                                }
                                settings[keyPath: path] = value
                            },
                            read: { String($0[keyPath: path]) })
    }

    private static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ key: String, _ help: String, _ path: WritableKeyPath<ServerSettings, Choice> & Sendable
    ) -> ConfigurationOption where Choice.RawValue == String {
        ConfigurationOption(key: key, help: help, defaultValue: ServerSettings()[keyPath: path].rawValue,
                            apply: { settings, text throws(ConfigurationError) in
                                guard let value = Choice(rawValue: text) else {
                                    let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
                                    throw ConfigurationError("\(key) must be one of \(names) (got '\(text)')")
                                }
                                settings[keyPath: path] = value
                            },
                            read: { $0[keyPath: path].rawValue })
    }

    private static func text(_ key: String, _ help: String,
                             _ path: WritableKeyPath<ServerSettings, String> & Sendable) -> ConfigurationOption {
        ConfigurationOption(key: key, help: help, defaultValue: ServerSettings()[keyPath: path],
                            apply: { settings, text throws(ConfigurationError) in settings[keyPath: path] = text },
                            read: { $0[keyPath: path] })
    }
}
