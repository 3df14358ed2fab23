import Foundation
import RoPEServerTestSupport
import Testing

/// Every golden case through the router in process, one service for all of them as one server serves every request.
/// The synthetic cases (a body refused from its Content-Length alone, before the router) need a socket: they run,
/// with every other case, over one real server in EndToEndTests' GoldenSocketTests.
@Suite("Golden cases through the router")
struct GoldenHTTPTests {
    static let api = RouterTransport()

    /// The cases whose request the router answers.
    static let routedFiles = GoldenCase.allFiles.filter { (try? GoldenCase(file: $0))?.syntheticBody == nil }

    @Test("golden case", arguments: routedFiles)
    func goldenCase(file: String) throws {
        let golden = try GoldenCase(file: file)
        let problems = golden.problems(in: try golden.send(over: Self.api))
        #expect(problems.isEmpty, "\(golden.name) (\(file)): \(problems.joined(separator: "; "))")
    }

    @Test("the vendored golden set is complete; only the Content-Length cases are left to the socket")
    func goldenSetIsComplete() {
        #expect(GoldenCase.allFiles.count == 161)
        #expect(Self.routedFiles.count == 160)
    }
}
