import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import RoPEServerTestSupport

/// `/spectrum` (JSON and SVG) and `/rotate` with `from_positions` (JSON and .npy), through the router in process.
@Suite("Spectrum and from_positions over HTTP")
struct SpectrumHTTPTests {
    static let llama31Query = "dim=128&rope_theta=500000&rope_type=llama3&factor=8&low_freq_factor=1&high_freq_factor=4"
        + "&original_max_position_embeddings=8192&max_position_embeddings=131072"
    static var llama31Body: [String: Any] { [
        "dim": 128, "rope_theta": 500000, "max_position_embeddings": 131072,
        "rope_scaling": ["rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 8192],
    ] }

    @Test("GET and POST /spectrum: Llama 3.1's 29 unchanged, 6 blended, 29 interpolated slots, the same bytes")
    func spectrumJSON() throws {
        let api = RouterTransport()
        let get = try api.request("GET", "/spectrum?" + Self.llama31Query, contentType: nil)
        #expect(get.status == 200, "\(get.bodyText)")
        #expect(get.headers["content-type"]?.hasPrefix("application/json") == true)
        let json = try #require(get.json)
        let summary = try #require(json["summary"] as? [String: Any])
        let counts = try #require(summary["counts"] as? [String: Int])
        #expect(counts == ["unchanged": 29, "blended": 6, "interpolated": 29, "zero": 0])
        #expect(summary["attention_scaling"] as? Double == 1)
        #expect(summary["interpolation_factor"] as? Double == 8)
        #expect(summary["longrope_switch"] is NSNull)
        #expect(json["context"] as? Int == 131_072 && json["original_context"] as? Int == 8192)
        let ratios = try #require(json["ratio"] as? [Double])
        let regimes = try #require(json["regime"] as? [String])
        #expect(ratios.count == 64 && regimes.count == 64)
        #expect(ratios.first == 1 && ratios.last == 8 && regimes[30] == "blended")
        for field in ["inv_freq", "base_inv_freq", "wavelengths", "rotations_original", "rotations_context"] {
            #expect((json[field] as? [Double])?.count == 64, "\(field)")
        }
        #expect(json["precision"] == nil)

        let post = try api.request("POST", "/spectrum", json: Self.llama31Body)
        #expect(post.status == 200)
        #expect(post.bodyText == get.bodyText)
    }

    @Test("precision_positions: float32 errors as numpy computes them, float16 null beyond 65504")
    func precisionJSON() throws {
        let api = RouterTransport()
        let response = try api.request("GET", "/spectrum?dim=128&context=4096&precision_positions=1,100000",
                                          contentType: nil)
        #expect(response.status == 200, "\(response.bodyText)")
        let precision = try #require(response.json?["precision"] as? [[String: Any]])
        #expect(precision.count == 2)
        #expect(precision[1]["position"] as? Int == 100_000)
        // numpy: max |cos(float32(p) * inv.astype(float32)) - cos(p * inv)| for theta 10000, d 128.
        let float32 = try #require(precision[1]["float32"] as? [String: Any])
        #expect(abs(try #require(float32["cos"] as? Double) - 0.0051639417900424854) < 1e-10)
        let float16 = try #require(precision[1]["float16"] as? [String: Any])
        #expect(float16["cos"] is NSNull && float16["sin"] is NSNull)
        let small = try #require(precision[0]["float16"] as? [String: Any])
        #expect(abs(try #require(small["sin"] as? Double) - 0.00015659978159643373) < 1e-10)
        #expect(precision[0]["bfloat16"] is [String: Any])
    }

    /// Whether `text` parses as XML.
    static func isWellFormedXML(_ text: String) -> Bool {
        XMLParser(data: Data(text.utf8)).parse()
    }

    @Test("Accept: image/svg+xml draws the spectrum, and the precision panel with precision_positions")
    func spectrumSVG() throws {
        let api = RouterTransport()
        let svg = try api.request("GET", "/spectrum?" + Self.llama31Query, contentType: nil,
                                     headers: ["Accept": "image/svg+xml"])
        #expect(svg.status == 200)
        #expect(svg.headers["content-type"]?.hasPrefix("image/svg+xml") == true)
        #expect(svg.bodyText.hasPrefix("<svg"))
        #expect(Self.isWellFormedXML(svg.bodyText))
        for label in ["original context 8192", "target context 131072", "interpolated (29)", "blended (6)",
                      "unchanged (29)", "llama3 (factor 8, original 8192)", "theta 500000, rotary_dim 128, 64 slots"] {
            #expect(svg.bodyText.contains(label), "missing '\(label)'")
        }
        #expect(!svg.bodyText.contains("Angle precision"))

        var body = Self.llama31Body
        body["precision_positions"] = [1, 1000, 100_000, 1_000_000]
        let both = try api.request("POST", "/spectrum", json: body, headers: ["Accept": "image/svg+xml"])
        #expect(both.status == 200)
        #expect(Self.isWellFormedXML(both.bodyText))
        for label in ["Angle precision", "float32", "bfloat16", "float16", "float16 above 65504"] {
            #expect(both.bodyText.contains(label), "missing '\(label)'")
        }
    }

    @Test("/spectrum errors name the field; limits are checked before any work")
    func spectrumErrors() throws {
        let api = RouterTransport { $0.limits.maxSequenceLength = 4 }
        let cases: [(String, Int, String)] = [
            ("/spectrum?context=100", 422, "'dim'"),
            ("/spectrum?dim=8", 422, "context"),
            ("/spectrum?dim=8&context=0", 422, "'context'"),
            ("/spectrum?dim=8&context=10&precision_positions=1.5", 422, "'precision_positions'"),
            ("/spectrum?dim=8&context=10&precision_positions=[[1]]", 422, "'precision_positions'"),
            ("/spectrum?dim=8&context=10&precision_positions=1,2,3,4,5", 413, "'precision_positions'"),
            ("/spectrum?dim=8&context=10&precision_positions=2000000000000", 422, "'precision_positions'"),
            ("/spectrum?dim=131072&context=10", 413, "'dim'"),
            ("/spectrum?dim=8&context=10&contxt=5", 422, "'contxt'"),
            ("/spectrum?dim=8&context=10&rope_type=llama3", 422, "factor"),
        ]
        for (target, status, field) in cases {
            let response = try api.request("GET", target, contentType: nil)
            #expect(response.status == status, "\(target): \(response.status) \(response.bodyText)")
            #expect((response.json?["error"] as? String)?.contains(field) == true, "\(target): \(response.bodyText)")
        }
        let wrongMethod = try api.request("PUT", "/spectrum", json: ["dim": 8])
        #expect(wrongMethod.status == 405)
    }

    /// A [2, 4, 16] tensor of sin(seed) values.
    static let embeddings: [[[Double]]] = (0..<2).map { (row: Int) -> [[Double]] in
        (0..<4).map { (token: Int) -> [Double] in
            (0..<16).map { (feature: Int) -> Double in
                let seed: Int = row * 131 + token * 17 + feature
                return sin(Double(seed))
            }
        }
    }
    static var yarnScaling: [String: Any] { ["rope_type": "yarn", "factor": 4, "original_max_position_embeddings": 8] }

    /// The rotated embeddings of a /rotate JSON answer, flattened.
    static func values(_ response: TestResponse) throws -> [Float] {
        try NPYBodies.literals(of: "embeddings", in: response.bodyText)
    }

    @Test("from_positions: one move equals inverse-then-forward, JSON and .npy alike, no attention factor applied")
    func fromPositions() throws {
        let api = RouterTransport()
        let from = [0, 1, 2, 3], to = [100, 101, 102, 1000]
        let moved = try api.request("POST", "/rotate", json: [
            "embeddings": Self.embeddings, "positions": to, "from_positions": from, "offset": 5,
            "rope_scaling": Self.yarnScaling, "layout": "interleaved",
        ])
        #expect(moved.status == 200, "\(moved.bodyText)")
        #expect(moved.json?["attention_scaling"] as? Double == 1)
        let undone = try api.request("POST", "/rotate", json: [
            "embeddings": Self.embeddings, "positions": from, "offset": 5, "inverse": true,
            "rope_scaling": Self.yarnScaling, "layout": "interleaved",
        ])
        let undoneTensor = try Self.values(undone)
        let redone = try api.request("POST", "/rotate", json: [
            "embeddings": [undoneTensor[0..<64], undoneTensor[64..<128]].map { half in
                stride(from: half.startIndex, to: half.endIndex, by: 16).map { half[$0..<($0 + 16)].map(Double.init) }
            },
            "positions": to, "offset": 5, "rope_scaling": Self.yarnScaling, "layout": "interleaved",
        ])
        let movedValues = try Self.values(moved), reference = try Self.values(redone)
        #expect(movedValues.count == 128 && reference.count == 128)
        for (index, (a, b)) in zip(movedValues, reference).enumerated() {
            #expect(abs(a - b) <= 1e-5, "index \(index): \(a) vs \(b)")
        }

        let flat = Self.embeddings.flatMap { $0.flatMap { $0.map(Float.init) } }
        let query = "/rotate?positions=100,101,102,1000&from_positions=[0,1,2,3]&offset=5&rope_type=yarn&factor=4"
            + "&original_max_position_embeddings=8&layout=interleaved"
        let npy = api.request("POST", query, body: NPYBodies.npy(flat, shape: [2, 4, 16]),
                                     contentType: "application/x-npy", headers: ["Accept": "application/x-npy"])
        #expect(npy.status == 200, "\(npy.bodyText)")
        #expect(npy.headers["x-attention-scaling"] == "1.0")
        #expect(try NPYBodies.values(ofNPY: npy.body).values.map(\.bitPattern) == movedValues.map(\.bitPattern))
    }

    @Test("from_positions errors: wrong shape, beyond max_position, with inverse, not integers")
    func fromPositionsErrors() throws {
        let api = RouterTransport()
        let bodies: [[String: Any]] = [
            ["embeddings": Self.embeddings, "from_positions": [0, 1]],
            ["embeddings": Self.embeddings, "from_positions": [0, 1, 2, 1 << 50]],
            ["embeddings": Self.embeddings, "from_positions": [0, 1, 2, 3], "inverse": true],
            ["embeddings": Self.embeddings, "from_positions": [0, 1, 2, "3"]],
        ]
        for body in bodies {
            let response = try api.request("POST", "/rotate", json: body)
            #expect(response.status == 422, "\(body): \(response.bodyText)")
            #expect((response.json?["error"] as? String)?.contains("from_positions") == true, "\(response.bodyText)")
        }
    }
}

/// /spectrum with the model forms of the RoPE parameters: a pasted config, rope_parameters, proportional, M-RoPE.
@Suite("Spectrum over HTTP: configs and model types")
struct SpectrumModelHTTPTests {
    /// Llama 3.1 8B's config.json, the keys that matter here plus a few that do not.
    static var llama31Config: [String: Any] {
        ["architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "num_attention_heads": 32,
         "num_key_value_heads": 8, "num_hidden_layers": 32, "max_position_embeddings": 131072,
         "rope_theta": 500000.0, "vocab_size": 128256, "torch_dtype": "bfloat16",
         "rope_scaling": ["factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                          "original_max_position_embeddings": 8192, "rope_type": "llama3"]]
    }

    @Test("a pasted config: dim from hidden_size / heads, context from max_position_embeddings; GET and POST")
    func pastedConfig() throws {
        let api = RouterTransport()
        let post = try api.request("POST", "/spectrum", json: ["config": Self.llama31Config])
        #expect(post.status == 200, "\(post.bodyText)")
        let json = try #require(post.json)
        #expect(json["dim"] as? Int == 128 && json["context"] as? Int == 131_072)
        let counts = (json["summary"] as? [String: Any])?["counts"] as? [String: Int]
        #expect(counts == ["unchanged": 29, "blended": 6, "interpolated": 29, "zero": 0])

        let text = String(decoding: try JSONSerialization.data(withJSONObject: Self.llama31Config), as: UTF8.self)
        let encoded = try #require(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let get = try api.request("GET", "/spectrum?config=" + encoded, contentType: nil)
        #expect(get.status == 200, "\(get.bodyText)")
        #expect(get.bodyText == post.bodyText)

        let mismatch = try api.request("POST", "/spectrum", json: ["config": Self.llama31Config, "dim": 64])
        #expect(mismatch.status == 422 && mismatch.bodyText.contains("'dim'"), "\(mismatch.bodyText)")
        let both = try api.request("POST", "/spectrum", json: ["config": Self.llama31Config,
                                                                  "max_position_embeddings": 4096])
        #expect(both.status == 422, "\(both.bodyText)")
    }

    @Test("proportional through rope_parameters: zero slots with null wavelengths; a null layer entry: rope_applied")
    func proportionalAndNoRoPE() throws {
        let api = RouterTransport()
        let proportional: [String: Any] = ["rope_type": "proportional", "partial_rotary_factor": 0.25,
                                           "rope_theta": 1_000_000.0]
        let response = try api.request("POST", "/spectrum", json: [
            "dim": 16, "context": 1000,
            "rope_parameters": ["full_attention": proportional, "sliding_attention": ["rope_theta": 10000.0]],
            "layer_type": "full_attention",
        ])
        #expect(response.status == 200, "\(response.bodyText)")
        let json = try #require(response.json)
        let wavelengths = try #require(json["wavelengths"] as? [Any])
        #expect(wavelengths.count == 8 && wavelengths[1] is Double && wavelengths[2] is NSNull)
        #expect((json["regime"] as? [String]) == ["unchanged", "unchanged"] + Array(repeating: "zero", count: 6))
        #expect(json["rope_applied"] == nil)

        let noRoPE = try api.request("POST", "/spectrum", json: [
            "dim": 16, "context": 1000, "rope_parameters": ["full_attention": NSNull(),
                                                            "sliding_attention": proportional],
            "layer_type": "full_attention",
        ])
        #expect(noRoPE.status == 200, "\(noRoPE.bodyText)")
        #expect(noRoPE.json?["rope_applied"] as? Bool == false)
    }

    @Test("M-RoPE: mrope_axis per slot in JSON, the axes in the SVG")
    func mrope() throws {
        let api = RouterTransport()
        let body: [String: Any] = ["dim": 128, "context": 32768, "rope_theta": 1_000_000.0,
                                   "rope_scaling": ["type": "mrope", "mrope_section": [16, 24, 24]]]
        let response = try api.request("POST", "/spectrum", json: body)
        #expect(response.status == 200, "\(response.bodyText)")
        let axes = try #require(response.json?["mrope_axis"] as? [String])
        #expect(axes == Array(repeating: "t", count: 16) + Array(repeating: "h", count: 24)
            + Array(repeating: "w", count: 24))
        let svg = try api.request("POST", "/spectrum", json: body, headers: ["Accept": "image/svg+xml"])
        #expect(svg.status == 200)
        #expect(SpectrumHTTPTests.isWellFormedXML(svg.bodyText))
        #expect(svg.bodyText.contains("M-RoPE slots: 16 t, 24 h, 24 w"))

        let moved = try api.request("POST", "/rotate", json: [
            "embeddings": [[1.0, 0, 0, 1, 0, 1, 1, 0]], "from_positions": [0],
            "mrope_positions": [[4], [5], [6]], "rope_scaling": ["type": "mrope", "mrope_section": [1, 1, 2]],
        ])
        #expect(moved.status == 422 && moved.bodyText.contains("from_positions"), "\(moved.bodyText)")
    }
}
