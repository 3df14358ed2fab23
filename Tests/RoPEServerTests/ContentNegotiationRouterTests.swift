import Foundation
import RoPEServer
import RoPEServerTestSupport
import Testing

/// `Accept` weights through the service's router (in process: negotiation is no socket's business): each endpoint
/// answers in the format negotiation chose.
@Suite("Content negotiation through the router")
struct ContentNegotiationRouterTests {
    let api = RouterTransport()

    func send(_ method: String, _ target: String, json: Any? = nil, accept: String) throws -> TestResponse {
        try api.request(method, target, json: json, headers: ["Accept": accept])
    }

    func npyShape(_ answer: TestResponse) throws -> [Int] { try NPYBodies.values(ofNPY: answer.body).shape }

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
        #expect(answer.headers["content-type"] == contentType)
        if contentType == "application/x-npy" {
            #expect(try npyShape(answer) == [2, 4])
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
        #expect(scores.headers["content-type"] == "application/x-npy")
        #expect(try npyShape(scores) == [1, 2])
        let scoresJSON = try send("POST", "/attention", json: attention, accept: refuseNPY)
        #expect(scoresJSON.headers["content-type"] == "application/json")
        #expect(scoresJSON.json?["shape"] as? [Int] == [1, 2])
        let table = try send("GET", "/frequencies?dim=8", accept: preferNPY)
        #expect(table.headers["content-type"] == "application/x-npy")
        #expect(try npyShape(table) == [4])
        let tableJSON = try send("GET", "/frequencies?dim=8", accept: refuseNPY)
        #expect(tableJSON.headers["content-type"] == "application/json")
        #expect(tableJSON.json?["rotary_dim"] as? Int == 8)
    }

    @Test("/decay and /spectrum draw SVG only when it outweighs JSON", arguments: [
        ("image/svg+xml;q=0.5, application/json;q=0.4", "image/svg+xml"),
        ("image/svg+xml;q=0, application/json", "application/json"),
        ("image/svg+xml;q=0.4, application/json;q=0.5", "application/json"),
        ("image/*", "application/json"),
    ])
    func plots(accept: String, contentType: String) throws {
        for target in ["/decay?dim=8&points=5", "/spectrum?dim=8&context=4096"] {
            let answer = try send("GET", target, accept: accept)
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"] == contentType, "\(target)")
            if contentType == "image/svg+xml" {
                #expect(answer.body.starts(with: Array("<svg".utf8)))
            } else {
                #expect(answer.json != nil)
            }
        }
    }
}
