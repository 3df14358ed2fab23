import Foundation
import RoPE
import RoPEServer
import TensorCodecs
import Testing

/// `Accept` weights through the service's router (in process: negotiation is no socket's business): each endpoint
/// answers in the format negotiation chose.
@Suite("Content negotiation through the router")
struct ContentNegotiationRouterTests {
    /// What a test reads of an answer.
    struct Answer {
        var status: Int
        var contentType: String
        var headers: [String: String]
        var body: [UInt8]

        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }

        /// The shape of a float32 .npy body, read back by the codecs.
        func npyShape() throws -> [Int] {
            try body.withUnsafeBytes { bytes throws(CodecError) in
                try NPYReader.read(bytes, field: "answer", limits: CodecLimits()).shape
            }
        }
    }

    let router = RoPEService.router(context: ServiceContext(configuration: ServerConfiguration(),
                                                            engine: Engine(), openAPIDocument: nil))

    func send(_ method: String, _ path: String, query: [(name: String, value: String)] = [], json: Any? = nil,
              accept: String) throws -> Answer {
        var headers = ["Accept": accept]
        var body: [UInt8] = []
        if let json {
            body = Array(try JSONSerialization.data(withJSONObject: json))
            headers["Content-Type"] = "application/json"
        }
        return body.withUnsafeBytes { bytes in
            let response = router.respond(to: HTTPRequest(method: method, path: path, query: query, headers: headers,
                                                          body: bytes))
            return Answer(status: response.status, contentType: response.contentType,
                          headers: Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) },
                                              uniquingKeysWith: { first, _ in first }),
                          body: response.body.withUnsafeBytes { Array($0) })
        }
    }

    static var rotateBody: [String: Any] { ["embeddings": [[1.0, 2.0, 3.0, 4.0], [0.5, -1.5, 2.5, -3.5]]] }

    @Test("/rotate: a .npy excluded by q=0 answers JSON, a .npy weighted above JSON answers .npy", arguments: [
        ("application/x-npy;q=0, application/json", "application/json"),
        ("application/json;q=0.5, application/x-npy;q=0.9", "application/x-npy"),
        ("application/x-npy;q=0.5, */*", "application/json"),
        ("application/x-npy", "application/x-npy"),
        ("text/html", "application/json"),
    ])
    func rotate(accept: String, contentType: String) throws {
        let answer = try send("POST", "/rotate", json: Self.rotateBody, accept: accept)
        #expect(answer.status == 200)
        #expect(answer.contentType == contentType)
        if contentType == "application/x-npy" {
            #expect(try answer.npyShape() == [2, 4])
            #expect(answer.headers["x-attention-scaling"] == "1.0")
        } else {
            #expect(answer.json?["shape"] as? [Int] == [2, 4])
        }
    }

    @Test("/attention and /frequencies follow the same weights")
    func attentionAndFrequencies() throws {
        let attention: [String: Any] = ["queries": [[1.0, 0.0]], "keys": [[1.0, 0.0], [0.0, 1.0]]]
        let preferNPY = "application/json;q=0.1, application/x-npy;q=0.2"
        let refuseNPY = "application/x-npy;q=0, */*"
        let scores = try send("POST", "/attention", json: attention, accept: preferNPY)
        #expect(scores.contentType == "application/x-npy")
        #expect(try scores.npyShape() == [1, 2])
        let scoresJSON = try send("POST", "/attention", json: attention, accept: refuseNPY)
        #expect(scoresJSON.contentType == "application/json")
        #expect(scoresJSON.json?["shape"] as? [Int] == [1, 2])
        let table = try send("GET", "/frequencies", query: [("dim", "8")], accept: preferNPY)
        #expect(table.contentType == "application/x-npy")
        #expect(try table.npyShape() == [4])
        let tableJSON = try send("GET", "/frequencies", query: [("dim", "8")], accept: refuseNPY)
        #expect(tableJSON.contentType == "application/json")
        #expect(tableJSON.json?["rotary_dim"] as? Int == 8)
    }

    @Test("/decay and /spectrum draw SVG only when it outweighs JSON", arguments: [
        ("image/svg+xml;q=0.5, application/json;q=0.4", "image/svg+xml"),
        ("image/svg+xml;q=0, application/json", "application/json"),
        ("image/svg+xml;q=0.4, application/json;q=0.5", "application/json"),
        ("image/*", "application/json"),
    ])
    func plots(accept: String, contentType: String) throws {
        let targets: [(path: String, query: [(name: String, value: String)])] = [
            ("/decay", [("dim", "8"), ("points", "5")]), ("/spectrum", [("dim", "8"), ("context", "4096")]),
        ]
        for target in targets {
            let answer = try send("GET", target.path, query: target.query, accept: accept)
            #expect(answer.status == 200)
            #expect(answer.contentType == contentType, "\(target.path)")
            if contentType == "image/svg+xml" {
                #expect(answer.body.starts(with: Array("<svg".utf8)))
            } else {
                #expect(answer.json != nil)
            }
        }
    }
}
