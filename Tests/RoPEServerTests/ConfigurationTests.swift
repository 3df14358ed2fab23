import Foundation
import Testing
import RoPEServer
import RoPEServerTestSupport

/// Configuration precedence (file < ROPE_* environment < flags) and validation.
@Suite("Configuration")
struct ConfigurationTests {
    private func settings(_ arguments: [String], _ environment: [String: String] = [:]) throws -> ServerSettings {
        guard case .run(let settings) = try ConfigurationLoader.load(arguments: arguments,
                                                                     environment: environment) else {
            Issue.record("expected settings, got text")
            return ServerSettings()
        }
        return settings
    }

    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("rope-config-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("defaults match config/rope-server.json")
    func defaultsMatchShippedFile() throws {
        let shipped = try settings(["--config",
                                    RepositoryPaths.root.appendingPathComponent("config/rope-server.json").path])
        #expect(shipped == ServerSettings())
        #expect(shipped.server.port == 8080)
        #expect(shipped.server.host == "0.0.0.0")
        #expect(shipped.server.limits.maxBodyBytes == 64 << 20)
    }

    @Test("flags beat environment, environment beats the file")
    func precedence() throws {
        let file = try temporaryFile(#"{"port": 7000, "threads": 3, "max_body_bytes": 1000}"#)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let loaded = try settings(["--config", file, "--port", "9000"], ["ROPE_PORT": "8000", "ROPE_THREADS": "5"])
        #expect(loaded.server.port == 9000)
        #expect(loaded.server.threads == 5)
        #expect(loaded.server.limits.maxBodyBytes == 1000)
        let viaEnvironmentFile = try settings(["--max-body-bytes=2048"], ["ROPE_CONFIG": file])
        #expect(viaEnvironmentFile.server.port == 7000)
        #expect(viaEnvironmentFile.server.limits.maxBodyBytes == 2048)
    }

    @Test("unknown flags, bad values and unknown file keys are errors", arguments: [
        (["--prot", "1"], [String: String]()),
        (["--port", "70000"], [:]),
        (["--port"], [:]),
        (["--threads", "two"], [:]),
        (["serve"], [:]),
        ([], ["ROPE_MAX_BODY_BYTES": "-1"]),
        (["--config", "/nonexistent/rope.json"], [:]),
        (["--max-tensor-elements", "9223372036854775807"], [:]),   // size products must stay inside Int
        (["--max-sequence-length", "1099511627776"], [:]),
    ])
    func rejected(arguments: [String], environment: [String: String]) {
        #expect(throws: ConfigurationError.self) {
            _ = try ConfigurationLoader.load(arguments: arguments, environment: environment)
        }
    }

    @Test("a file with an unknown key is an error naming it")
    func unknownFileKey() throws {
        let file = try temporaryFile(#"{"prot": 1}"#)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let error = #expect(throws: ConfigurationError.self) {
            _ = try ConfigurationLoader.load(arguments: ["--config", file], environment: [:])
        }
        #expect(error?.description.contains("prot") == true)
    }

    @Test("--help lists every flag with its environment variable")
    func help() throws {
        guard case .print(let text) = try ConfigurationLoader.load(arguments: ["--help"], environment: [:]) else {
            Issue.record("--help should print")
            return
        }
        for option in ServerSettings.options {
            #expect(text.contains(option.flag) && text.contains(option.environmentVariable))
        }
        for flag in ["--host", "--port", "--config", "--threads", "--max-body-bytes", "--connection-timeout"] {
            #expect(text.contains(flag))
        }
    }
}
