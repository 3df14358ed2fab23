import Foundation
import Testing

/// `Accept` weights over a real socket: each endpoint answers in the format negotiation chose.
@Suite("Content negotiation over HTTP")
struct ContentNegotiationHTTPTests {
    static var rotateBody: [String: Any] { ["embeddings": [[1.0, 2.0, 3.0, 4.0], [0.5, -1.5, 2.5, -3.5]]] }

    @Test("/rotate: a .npy excluded by q=0 answers JSON, a .npy weighted above JSON answers .npy", arguments: [
        ("application/x-npy;q=0, application/json", "application/json"),
        ("application/json;q=0.5, application/x-npy;q=0.9", "application/x-npy"),
        ("application/x-npy;q=0.5, */*", "application/json"),
        ("application/x-npy", "application/x-npy"),
        ("text/html", "application/json"),
    ])
    func rotate(accept: String, contentType: String) throws {
        let server = try TestServer()
        defer { server.stop() }
        let response = try server.request("POST", "/rotate", json: Self.rotateBody, headers: ["Accept": accept])
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == contentType)
        if contentType == "application/x-npy" {
            let (shape, values) = try NPYHTTPTests.values(ofNPY: response.body)
            #expect(shape == [2, 4])
            #expect(values[0] == 1 && values[1] == 2)   // position 0 is not rotated
            #expect(response.headers["x-attention-scaling"] == "1.0")
        } else {
            #expect(response.json?["shape"] as? [Int] == [2, 4])
        }
    }

    @Test("/attention and /frequencies follow the same weights")
    func attentionAndFrequencies() throws {
        let server = try TestServer()
        defer { server.stop() }
        let attention: [String: Any] = ["queries": [[1.0, 0.0]], "keys": [[1.0, 0.0], [0.0, 1.0]]]
        let preferNPY = ["Accept": "application/json;q=0.1, application/x-npy;q=0.2"]
        let refuseNPY = ["Accept": "application/x-npy;q=0, */*"]
        let scores = try server.request("POST", "/attention", json: attention, headers: preferNPY)
        #expect(scores.headers["content-type"] == "application/x-npy")
        #expect(try NPYHTTPTests.values(ofNPY: scores.body).shape == [1, 2])
        let scoresJSON = try server.request("POST", "/attention", json: attention, headers: refuseNPY)
        #expect(scoresJSON.headers["content-type"] == "application/json")
        #expect(scoresJSON.json?["shape"] as? [Int] == [1, 2])
        let table = try server.request("GET", "/frequencies?dim=8", headers: preferNPY)
        #expect(table.headers["content-type"] == "application/x-npy")
        #expect(try NPYHTTPTests.values(ofNPY: table.body).shape == [4])
        let tableJSON = try server.request("GET", "/frequencies?dim=8", headers: refuseNPY)
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
        let server = try TestServer()
        defer { server.stop() }
        for target in ["/decay?dim=8&points=5", "/spectrum?dim=8&context=4096"] {
            let response = try server.request("GET", target, headers: ["Accept": accept])
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == contentType, "\(target)")
            if contentType == "image/svg+xml" {
                #expect(response.bodyText.hasPrefix("<svg"))
            } else {
                #expect(response.json != nil)
            }
        }
    }
}
