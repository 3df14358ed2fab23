import Foundation
import RoPE
import RoPEServer
import RoPEServerTestSupport
import TensorCodecs
import Testing

/// The router turns whatever a route throws into one JSON error response.
@Suite("Router error mapping")
struct RouterErrorTests {
    struct UnexpectedFailure: Error {}

    static func respond(throwing error: any Error) -> HTTPResponse {
        var router = Router()
        router.add("GET", "/fail") { _ in throw error }
        return router.respond(to: HTTPRequest(method: "GET", path: "/fail"))
    }

    static func body(of response: borrowing HTTPResponse) -> String {
        response.body.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    @Test("codec and engine errors answer with their status and error_type", arguments: [
        (CodecError(kind: .malformed, message: "m") as any Error, 400, "malformed_request"),
        (CodecError(kind: .invalid, message: "m"), 422, "validation_error"),
        (CodecError(kind: .tooLarge, message: "m"), 413, "payload_too_large"),
        (CodecError(kind: .unsupported, message: "m"), 415, "unsupported_media_type"),
        (RoPEError(.invalidParameter, field: "f", "m"), 422, "validation_error"),
        (RoPEError(.shapeMismatch, field: "f", "m"), 422, "validation_error"),
        (RoPEError(.limitExceeded, field: "f", "m"), 413, "payload_too_large"),
        (HTTPError.unavailable("m"), 503, "unavailable"),
    ])
    func mapped(error: any Error, status: Int, type: String) {
        let response = Self.respond(throwing: error)
        #expect(response.status == status)
        #expect(response.errorType == type)
        #expect(response.contentType == "application/json")
        #expect(Self.body(of: response) == #"{"error":"m","error_type":"\#(type)"}"#)
    }

    @Test("an HTTPError's headers travel with it")
    func headers() {
        let response = Self.respond(throwing: HTTPError(status: 503, type: "overloaded", "busy",
                                                        headers: [("Retry-After", "1")]))
        #expect(response.headers.map(\.name) == ["Retry-After"])
        #expect(response.headers.map(\.value) == ["1"])
    }

    @Test("any other error is a 500 internal_error that tells nothing of the server's insides")
    func unexpected() {
        let response = Self.respond(throwing: UnexpectedFailure())
        #expect(response.status == 500)
        #expect(response.errorType == "internal_error")
        #expect(!Self.body(of: response).contains("UnexpectedFailure"))
    }

    @Test("/attention scores that overflow float32 are the engine's 422; masked entries stay null")
    func attentionOverflow() throws {
        let api = RouterTransport()
        let huge = [[Float(1e30), Float(1e30)]]
        let overflow = try api.request("POST", "/attention", json: ["queries": huge, "keys": huge])
        #expect(overflow.status == 422)
        #expect(overflow.json?["error_type"] as? String == "validation_error")
        #expect((overflow.json?["error"] as? String)?.contains("overflow float32") == true, "\(overflow.bodyText)")
        // Masked entries stay -inf (null in JSON) and are not taken for an overflow.
        let causal = try api.request("POST", "/attention",
                                     json: ["queries": [[1, 0], [0, 1]], "keys": [[1, 0], [0, 1]], "causal": true])
        #expect(causal.status == 200)
        #expect(((causal.json?["scores"] as? [[Any]])?[0][1]) is NSNull)
    }
}
