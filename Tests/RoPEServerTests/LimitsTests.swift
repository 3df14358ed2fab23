import Foundation
import Testing
import RoPEServerTestSupport

/// Every configurable limit the request decoding enforces is checked before the work, with a JSON 413 (sizes) or
/// 422 (values). max_body_bytes is the server's, before the router: EndToEndTests' BodyLimitTests.
@Suite("Limits")
struct LimitsTests {
    private static func rotate(_ rows: Int, _ d: Int) -> [UInt8] {
        let row = "[" + Array(repeating: "1", count: d).joined(separator: ",") + "]"
        return Array(("{\"embeddings\": [" + Array(repeating: row, count: rows).joined(separator: ",") + "]}").utf8)
    }

    @Test("size limits answer 413 naming the limit", arguments: [
        ("max_tensor_elements", "POST", "/rotate", LimitsTests.rotate(4, 64)),
        ("max_dimension", "POST", "/rotate", LimitsTests.rotate(1, 128)),
        ("max_sequence_length", "POST", "/rotate", LimitsTests.rotate(40, 2)),
        ("max_dimension", "GET", "/frequencies?dim=2147483648", [UInt8]()),
        ("max_dimension", "GET", "/decay?dim=1048576", [UInt8]()),
        ("max_sequence_length", "GET", "/frequencies?dim=8&seq_len=4611686018427387904", [UInt8]()),
        ("max_json_depth", "POST", "/rotate",
         Array(("{\"embeddings\": " + String(repeating: "[", count: 100) + "1" + String(repeating: "]",
                                                                                        count: 100) + "}").utf8)),
        ("max_number_length", "POST", "/rotate",
         Array(("{\"embeddings\": [[1." + String(repeating: "1", count: 1000) + ", 2]]}").utf8)),
        ("max_attention_scores", "POST", "/attention",
         Array(#"{"queries": [[1,0],[1,0],[1,0],[1,0],[1,0],[1,0]], "#.utf8)
            + Array(#""keys": [[1,0],[1,0],[1,0],[1,0],[1,0],[1,0]]}"#.utf8)),
    ])
    func sizeLimits(limit: String, method: String, target: String, body: [UInt8]) throws {
        let api = RouterTransport { configuration in
            configuration.limits.maxTensorElements = 200
            configuration.limits.maxDimension = 64
            configuration.limits.maxSequenceLength = 32
            configuration.limits.maxAttentionScores = 30
            configuration.limits.maxJSONDepth = 16
            configuration.limits.maxNumberLength = 100
        }
        let response = try api.request(method, target, body: method == "GET" ? nil : body)
        #expect(response.status == 413, "\(limit): \(response.bodyText)")
        #expect(response.json?["error_type"] as? String == "payload_too_large")
        #expect(try api.request("GET", "/health").status == 200)
    }

    @Test("positions and offsets beyond the position limit or Int64 answer 422", arguments: [
        #"{"embeddings": [[1, 0]], "positions": [1099511627777]}"#,
        #"{"embeddings": [[1, 0]], "positions": [-1099511627777]}"#,
        #"{"embeddings": [[1, 0]], "positions": [99999999999999999999999]}"#,
        #"{"embeddings": [[1, 0]], "offset": 9223372036854775807}"#,
        #"{"embeddings": [[1, 0]], "offset": 1e300}"#,
    ])
    func positionLimits(body: String) throws {
        let api = RouterTransport()
        let response = try api.request("POST", "/rotate", body: Array(body.utf8))
        #expect(response.status == 422, "\(body): \(response.bodyText)")
        #expect(response.json?["error"] is String)
    }
}
