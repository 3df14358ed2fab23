import Foundation
import RoPE
import RoPEServer
import TensorCodecs
import Testing
import RoPEServerTestSupport

/// Replays every input of the request and query fuzz corpora (fuzz/corpus/<target>/) through the router, as the
/// libFuzzer targets do, so the normal suite guards what fuzzing covered (json and npy: TensorCodecsTests'
/// FuzzCorpusCodecTests). A crash reproducer found by `scripts/fuzz` is saved into its target's corpus directory
/// (named `crash-<what>`) next to a test stating what it broke.
///
/// The long fuzz runs so far found no crash or broken invariant (executions: json 9.7M in 15 min, request 5.5M and
/// 8.4M in two 15-min runs, npy 27.8M and query 2.1M in 12 min each); the numeric overflows found by probing
/// alongside them are in NumericEdgeRegressionTests and BadInputCatalogueTests.
@Suite("Fuzz corpus regressions")
struct FuzzRegressionTests {
    static let corpus = RepositoryPaths.root.appendingPathComponent("fuzz/corpus")

    static func inputs(_ target: String) -> [[UInt8]] {
        let directory = corpus.appendingPathComponent(target)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        return names.compactMap { name in
            (try? Data(contentsOf: directory.appendingPathComponent(name))).map { Array($0) }
        }
    }

    @Test("the request and query corpora have seeds")
    func corporaExist() {
        for target in ["request", "query"] {
            #expect(Self.inputs(target).count >= 10, "fuzz/corpus/\(target)")
        }
    }

    /// The router with the default configuration, as the server runs it.
    static let router = RoPEService.router(context: ServiceContext(configuration: ServerConfiguration(),
                                                                   engine: Engine(), openAPIDocument: nil))

    /// Routes a request and returns its status and whether the body is a well-formed answer for that status.
    static func route(_ request: HTTPRequest) -> (status: Int, problem: String?) {
        let response = router.respond(to: request)
        let status = response.status
        guard [200, 400, 413, 415, 422].contains(status) else { return (status, "status \(status)") }
        guard status != 200 else { return (status, nil) }
        let json = response.body.withUnsafeBytes {
            (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any]
        }
        guard json?["error"] is String, json?["error_type"] is String else {
            return (status, "error body \(String(describing: json))")
        }
        return (status, nil)
    }

    @Test("the request corpus gets documented statuses and JSON errors from the router")
    func requestCorpus() {
        let paths = ["/rotate", "/attention", "/frequencies", "/rotate"]
        for input in Self.inputs("request") where !input.isEmpty {
            let path = paths[Int(input[0] & 3)]
            var headers = ["Content-Type": input[0] & 8 != 0 ? "application/x-npy" : "application/json"]
            if input[0] & 4 != 0 { headers["Accept"] = "application/x-npy" }
            let body = Array(input.dropFirst())
            body.withUnsafeBytes { bytes in
                let request = HTTPRequest(method: "POST", path: path, headers: headers, body: bytes)
                let (status, problem) = Self.route(request)
                let prefix = String(decoding: body.prefix(120), as: UTF8.self)
                #expect(problem == nil, "POST \(path) \(prefix): \(status) \(problem ?? "")")
            }
        }
    }

    @Test("the query corpus gets documented statuses and JSON errors from the router")
    func queryCorpus() {
        var npy: ResponseBuffer?
        [Float](repeating: 0.5, count: 16).withUnsafeBufferPointer { npy = NPYWriter.write($0, shape: [2, 2, 4]) }
        let npyBody = npy.take()!.withUnsafeBytes { Array($0) }
        for input in Self.inputs("query") where !input.isEmpty {
            let text = String(decoding: input.dropFirst(), as: UTF8.self)
            let items = text.isEmpty ? [] : text.split(separator: "&", omittingEmptySubsequences: false)
            let query: [(name: String, value: String)] = items.map { item in
                guard let equals = item.firstIndex(of: "=") else { return (String(item), "") }
                return (String(item[..<equals]), String(item[item.index(after: equals)...]))
            }
            let request: HTTPRequest
            switch input[0] & 3 {
            case 0: request = HTTPRequest(method: "GET", path: "/frequencies", query: query)
            case 3: request = HTTPRequest(method: "GET", path: "/decay", query: query)
            default:
                let (status, problem) = npyBody.withUnsafeBytes { bytes in
                    Self.route(HTTPRequest(method: "POST", path: "/rotate", query: query,
                                           headers: ["Content-Type": "application/x-npy"], body: bytes))
                }
                #expect(problem == nil, "POST /rotate?\(text): \(status) \(problem ?? "")")
                continue
            }
            let (status, problem) = Self.route(request)
            #expect(problem == nil, "\(request.method) \(request.path)?\(text): \(status) \(problem ?? "")")
        }
    }
}
