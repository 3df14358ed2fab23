import Foundation
import Testing

/// The `rope-server` binary as a user runs it: flags, startup on port 0, a request, SIGTERM, exit 0.
@Suite("rope-server executable")
struct ExecutableTests {
    /// The built executable next to the test bundle.
    static var binary: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("rope-server").path),
              directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("rope-server")
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = RepositoryPaths.root
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus,
                String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test("--help exits 0 and lists the flags; an unknown flag exits non-zero with a message")
    func flags() throws {
        let help = try run(["--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("--max-body-bytes"))
        let unknown = try run(["--no-such-flag", "1"])
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("--no-such-flag"))
        let badValue = try run(["--port", "http"])
        #expect(badValue.status != 0)
        #expect(badValue.error.contains("port"))
    }

    @Test("starts on port 0, answers, and exits 0 on SIGTERM")
    func startAndTerminate() throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["--host", "127.0.0.1", "--port", "0", "--threads", "2"]
        process.currentDirectoryURL = RepositoryPaths.root
        let error = Pipe()
        process.standardError = error
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The startup log line carries the bound port.
        var log = ""
        var port: Int?
        let deadline = Date().addingTimeInterval(20)
        while port == nil && Date() < deadline {
            let data = error.fileHandleForReading.availableData
            if data.isEmpty { break }
            log += String(decoding: data, as: UTF8.self)
            if let line = log.split(separator: "\n").first(where: { $0.contains("\"listening\"") }),
               let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               let text = object["port"] as? String {
                port = Int(text)
            }
        }
        let bound = try #require(port, "no listening line in: \(log)")
        let client = try RawHTTPClient(port: bound)
        let rotated = try client.request("POST", "/rotate", body: Array(#"{"embeddings": [[1, 0]], "positions": [1]}"#.utf8))
        #expect(rotated.status == 200)
        let openAPI = try client.request("GET", "/openapi.yaml")
        #expect(openAPI.status == 200)

        process.terminate()   // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}
