import Foundation
import Testing
import RoPEServerTestSupport

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
        let reader = LogReader(error.fileHandleForReading)
        let bound = try #require(reader.boundPort(within: 20), "no listening line in: \(reader.text)")
        let client = try RawHTTPClient(port: bound)
        let rotated = try client.request("POST", "/rotate",
                                         body: Array(#"{"embeddings": [[1, 0]], "positions": [1]}"#.utf8))
        #expect(rotated.status == 200)
        let openAPI = try client.request("GET", "/openapi.yaml")
        #expect(openAPI.status == 200)
        // An error libmicrohttpd answers itself is logged too.
        let garbage = try RawHTTPClient(port: bound)
        try garbage.send(Array("GARBAGE\r\n\r\n".utf8))
        #expect(try garbage.readResponse().status == 400)
        #expect(reader.waitFor(#""event":"library_error""#, within: 10), "no library_error line in: \(reader.text)")

        process.terminate()   // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}

/// SIGTERM while a request is in flight: the request completes, /health turns 503, new connections are refused,
/// the process exits 0, and every request left a JSON log line with its request id.
@Suite("Graceful drain")
struct GracefulDrainTests {
    @Test("a request in flight when SIGTERM arrives completes, then the process exits 0")
    func drain() throws {
        let process = Process()
        process.executableURL = ExecutableTests.binary
        process.arguments = ["--host", "127.0.0.1", "--port", "0", "--threads", "2", "--drain-timeout", "10"]
        process.currentDirectoryURL = RepositoryPaths.root
        let errorPipe = Pipe()
        process.standardError = errorPipe
        try process.run()
        defer { if process.isRunning { process.interrupt(); process.terminate() } }
        let reader = LogReader(errorPipe.fileHandleForReading)
        let port = try #require(reader.boundPort(within: 20), "no listening line in: \(reader.text)")

        let inFlight = try RawHTTPClient(port: port)
        let body = Array(#"{"embeddings": [[1, 0, 0, 1]], "positions": [1]}"#.utf8)
        let head = "POST /rotate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "X-Request-Id: in-flight-1\r\nContent-Length: \(body.count)\r\n\r\n"
        try inFlight.send(Array(head.utf8) + body.prefix(10))
        let keepAlive = try RawHTTPClient(port: port)
        #expect(try keepAlive.request("GET", "/health").status == 200)
        // A request id with a quote and a backslash must come out escaped in the JSON log line.
        #expect(try keepAlive.request("GET", "/health", headers: ["X-Request-Id": #"id"with\quote"#]).status == 200)
        Thread.sleep(forTimeInterval: 0.3)   // the server has the in-flight request's headers

        process.terminate()   // SIGTERM
        #expect(reader.waitFor("\"draining\"", within: 5), "no draining line in: \(reader.text)")
        let health = try keepAlive.request("GET", "/health")
        #expect(health.status == 503)
        #expect(health.json?["status"] as? String == "draining")
        #expect(health.headers["connection"]?.lowercased() == "close")
        #expect(throws: (any Error).self, "new connections are refused while draining") {
            _ = try RawHTTPClient(port: port).request("GET", "/health")
        }

        try inFlight.send(Array(body.dropFirst(10)))
        let rotated = try inFlight.readResponse(method: "POST")
        #expect(rotated.status == 200)
        #expect(rotated.headers["x-request-id"] == "in-flight-1")
        let values = try #require((rotated.json?["embeddings"] as? [[Double]])?.first)
        #expect(abs(values[0] - cos(1.0)) < 1e-6 && abs(values[2] - sin(1.0)) < 1e-6)

        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let log = reader.text + String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let requestLine = try #require(log.split(separator: "\n").first { $0.contains("\"in-flight-1\"") })
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(requestLine.utf8)) as? [String: Any])
        #expect(fields["event"] as? String == "request")
        #expect(fields["method"] as? String == "POST" && fields["path"] as? String == "/rotate")
        #expect(fields["status"] as? String == "200")
        #expect(fields["request_bytes"] as? String == String(body.count))
        #expect(fields["response_bytes"].flatMap { Int($0 as? String ?? "") }.map { $0 > 0 } == true)
        #expect((fields["duration_ms"] as? String)?.wholeMatch(of: /[0-9]+\.[0-9]{3}/) != nil)
        let timestamp = /20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3}Z/
        #expect((fields["ts"] as? String)?.wholeMatch(of: timestamp) != nil)
        let escapedLine = try #require(log.split(separator: "\n").first { $0.contains("with\\\\quote") })
        let escaped = try #require(try JSONSerialization.jsonObject(with: Data(escapedLine.utf8)) as? [String: Any])
        #expect(escaped["request_id"] as? String == #"id"with\quote"#)
        #expect(log.contains("\"stopped\""))
    }
}

/// Reads a child's stderr as it arrives (the startup line names the bound port).
final class LogReader: @unchecked Sendable {
    private let handle: FileHandle
    private(set) var text = ""

    init(_ handle: FileHandle) { self.handle = handle }

    /// Reads until `needle` has appeared or `seconds` passed.
    func waitFor(_ needle: String, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !text.contains(needle) && Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        return text.contains(needle)
    }

    /// The port of the `listening` line.
    func boundPort(within seconds: Double) -> Int? {
        guard waitFor("\"listening\"", within: seconds) else { return nil }
        for line in text.split(separator: "\n") where line.contains("\"listening\"") {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               let port = (object["port"] as? String).flatMap(Int.init) {
                return port
            }
        }
        return nil
    }
}
