import Foundation
import Testing
import RoPEServerTestSupport

/// `config`, `rope_parameters` and M-RoPE positions through the router: a pasted config gives exactly the numbers of
/// the same parameters given field by field, and every new refusal is a JSON 422 naming the field.
@Suite("Model configs over HTTP")
struct ModelConfigHTTPTests {
    /// The `config` object of a vendored golden case (real model configs).
    static func config(ofCase file: String) throws -> [String: Any] {
        (try GoldenCase(file: file).request as! [String: Any])["config"] as! [String: Any]
    }

    /// A deterministic [rows, s, d] tensor.
    static func embeddings(rows: Int, s: Int, d: Int) -> [[[Double]]] {
        func value(_ row: Int, _ token: Int, _ feature: Int) -> Double {
            let cycle: Int = (row * 31 + token * 7 + feature) % 19
            return Double(cycle) / 9 - 1
        }
        return (0..<rows).map { row in (0..<s).map { token in (0..<d).map { value(row, token, $0) } } }
    }

    /// (config case, layer or nil, extra request fields, the same parameters field by field, head dimension).
    static var equivalences: [(String, Int?, [String: Any], [String: Any], Int)] { [
        ("121_config_llama3_4x.json", nil, ["positions": [0, 9000, 100_000]],
         ["rope_theta": 500_000.0, "rope_scaling": ["rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                    "high_freq_factor": 4.0, "original_max_position_embeddings": 8192]],
         128),
        ("126_config_gemma3_layer_sliding.json", 5, ["positions": [0, 4096, 70_000]],
         ["rope_parameters": ["rope_type": "linear", "factor": 8.0, "rope_theta": 1_000_000.0]], 128),
        ("128_config_gemma3_4x_local_base_freq.json", 2, ["positions": [0, 500, 4096]], ["rope_theta": 10_000.0], 256),
        ("128_config_gemma3_4x_local_base_freq.json", 5, ["positions": [0, 500, 4096]],
         ["rope_theta": 1_000_000.0, "rope_scaling": ["rope_type": "linear", "factor": 8.0]], 256),
        ("129_config_gemma4_layer_full_hub.json", 5, ["positions": [0, 1, 99_999]],
         ["rope_parameters": ["rope_type": "proportional", "partial_rotary_factor": 0.25, "rope_theta": 1_000_000.0]],
         512),
        ("130_config_gemma4_layer_full_5x.json", 0, ["positions": [0, 1, 99_999]], ["rope_theta": 10_000.0], 256),
        ("133_config_phi_longrope.json", nil, ["positions": [0, 4095, 5000]],
         ["partial_rotary_factor": 0.75, "max_position_embeddings": 131_072, "rope_theta": 10_000.0,
          "rope_scaling": ["type": "longrope", "original_max_position_embeddings": 4096,
                           "short_factor": [Double](repeating: 1, count: 48),
                           "long_factor": [Double](repeating: 1, count: 48)]], 128),
        ("123_config_qwen2_vl_4x_flat_mrope.json", nil,
         ["mrope_positions": [[0, 1, 2, 2], [0, 1, 2, 3], [0, 1, 3, 2]]],
         ["rope_theta": 1_000_000.0, "rope_scaling": ["type": "mrope", "mrope_section": [16, 24, 24]]], 128),
        ("135_config_glm4_partial_interleaved.json", nil, ["layout": "interleaved", "offset": 3],
         ["layout": "interleaved", "partial_rotary_factor": 0.5, "rope_theta": 10_000.0], 128),
    ] }

    @Test("config gives the same numbers as its parameters given field by field",
          arguments: 0..<9)
    func configEqualsFields(index: Int) throws {
        let (file, layer, extra, fields, d) = Self.equivalences[index]
        var config = try Self.config(ofCase: file)
        if file.hasPrefix("133") {
            // Phi's factors, with the field-by-field request carrying the very same lists.
            var scaling = config["rope_scaling"] as! [String: Any]
            scaling["short_factor"] = [Double](repeating: 1, count: 48)
            scaling["long_factor"] = [Double](repeating: 1, count: 48)
            config["rope_scaling"] = scaling
        }
        let s = (extra["positions"] as? [Int])?.count ?? ((extra["mrope_positions"] as? [[Int]])?.first?.count ?? 4)
        var viaConfig = extra
        viaConfig["embeddings"] = Self.embeddings(rows: 2, s: s, d: d)
        viaConfig["config"] = config
        if let layer { viaConfig["layer"] = layer }
        var viaFields = extra.merging(fields) { $1 }
        viaFields["embeddings"] = viaConfig["embeddings"]
        let api = RouterTransport()
        let a = try api.request("POST", "/rotate", json: viaConfig)
        let b = try api.request("POST", "/rotate", json: viaFields)
        #expect(a.status == 200, "\(file): \(a.bodyText.prefix(300))")
        #expect(b.status == 200, "\(file) fields: \(b.bodyText.prefix(300))")
        #expect(a.bodyText == b.bodyText, "\(file) layer \(layer.map(String.init) ?? "-"): config and fields differ")
        // The same through /frequencies, whose dim defaults to the config's head dimension.
        var frequencies: [String: Any] = ["config": config, "seq_len": 3]
        if let layer { frequencies["layer"] = layer }
        var frequencyFields = fields.filter { $0.key != "layout" }
        frequencyFields["dim"] = d
        frequencyFields["seq_len"] = 3
        let c = try api.request("POST", "/frequencies", json: frequencies)
        let e = try api.request("POST", "/frequencies", json: frequencyFields)
        #expect(c.status == 200 && c.bodyText == e.bodyText,
                "\(file): \(c.bodyText.prefix(200)) vs \(e.bodyText.prefix(200))")
    }

    @Test("a config travels as JSON text in a query string (GET /frequencies)")
    func configInQueryString() throws {
        let config = try Self.config(ofCase: "126_config_gemma3_layer_sliding.json")
        let text = String(data: try JSONSerialization.data(withJSONObject: config), encoding: .utf8)!
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "config", value: text), URLQueryItem(name: "layer", value: "5")]
        let api = RouterTransport()
        let query = components.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B")
        let viaQuery = try api.request("GET", "/frequencies?" + query)
        let viaFields = try api.request(
            "GET", "/frequencies?dim=128&rope_type=linear&factor=8&rope_theta=1000000")
        #expect(viaQuery.status == 200, "\(viaQuery.bodyText.prefix(300))")
        #expect(viaQuery.bodyText == viaFields.bodyText)
    }

    @Test("a NoPE layer: /frequencies and /rotate say rope_applied false, /rotate returns the input")
    func noRopeLayer() throws {
        let config = try Self.config(ofCase: "131_config_no_rope_layer.json")
        let api = RouterTransport()
        let frequencies = try api.request("POST", "/frequencies", json: ["config": config, "layer": 7])
        #expect(frequencies.status == 200)
        #expect(frequencies.json?["rope_applied"] as? Bool == false)
        #expect(frequencies.json?["dim"] as? Int == 128)
        let rotating = try api.request("POST", "/frequencies", json: ["config": config, "layer": 6])
        #expect(rotating.json?["rope_applied"] == nil, "the field appears only when false")
        let input = Self.embeddings(rows: 1, s: 2, d: 128)
        let rotate = try api.request("POST", "/rotate", json: ["config": config, "layer": 3, "embeddings": input])
        #expect(rotate.json?["rope_applied"] as? Bool == false)
        let npy = try api.request("POST", "/rotate", json: ["config": config, "layer": 3, "embeddings": input],
                                     headers: ["Accept": "application/x-npy"])
        #expect(npy.headers["x-rope-applied"] == "false", "\(npy.headers)")
        let misplaced = try api.request("POST", "/rotate", json: ["config": config, "layer": 3, "embeddings": input,
                                                                     "positions": [0, 1, 2]])
        #expect(misplaced.status == 422 && misplaced.bodyText.contains("positions"), "\(misplaced.bodyText)")
        let info = try api.request("GET", "/info")
        #expect((info.json?["rope_types"] as? [String])?.contains("proportional") == true)
        #expect((info.json?["rope_fields"] as? [String])?.contains("config") == true)
        #expect((info.json?["rope_object_keys"] as? [String])?.contains("mrope_section") == true)
        let returned = (rotate.json?["embeddings"] as? [[[Double]]])?.flatMap { $0.flatMap { $0.map(Float.init) } }
        #expect(returned == input.flatMap { $0.flatMap { $0.map(Float.init) } }, "float32 storage, unchanged")
    }

    /// Requests that must be a 422 whose message names `field`.
    static var refusals: [(String, [String: Any], String)] { [
        ("layer without config", ["embeddings": [[1.0, 2.0]], "layer": 0], "layer"),
        ("layer_type without a keyed rope_parameters", ["embeddings": [[1.0, 2.0]], "layer_type": "full_attention"],
         "layer_type"),
        ("rope_parameters next to a flat scaling key",
         ["embeddings": [[1.0, 2.0]], "rope_parameters": ["rope_theta": 5.0], "factor": 2.0], "factor"),
        ("rotary_dim with proportional",
         ["embeddings": [[1.0, 2.0, 3.0, 4.0]], "rope_parameters": ["rope_type": "proportional"], "rotary_dim": 2],
         "rotary_dim"),
        ("mrope_interleaved without a section",
         ["embeddings": [[1.0, 2.0]], "rope_parameters": ["mrope_interleaved": true]], "mrope_interleaved"),
        ("type mrope without a section", ["embeddings": [[1.0, 2.0]], "rope_scaling": ["type": "mrope"]],
         "mrope_section"),
        ("mrope_positions without a section",
         ["embeddings": [[1.0, 2.0]], "mrope_positions": [[0], [0], [0]]], "mrope_positions"),
        ("mrope_positions with positions",
         ["embeddings": [[1.0, 2.0]], "mrope_positions": [[0], [0], [0]], "positions": [0],
          "rope_scaling": ["mrope_section": [1, 0, 0]]], "mrope_positions"),
        ("mrope_section of two entries",
         ["embeddings": [[1.0, 2.0]], "rope_scaling": ["mrope_section": [1, 0]]], "mrope_section"),
        ("a typo in the entry not picked",
         ["embeddings": [[1.0, 2.0]], "rope_parameters": ["a": ["rope_theta": 3.0], "b": ["rope_thta": 3.0]],
          "layer_type": "a"], "rope_parameters.b.rope_thta"),
        ("a null rope_parameters entry asked by an unknown layer type",
         ["embeddings": [[1.0, 2.0]], "rope_parameters": ["a": NSNull(), "b": ["rope_theta": 3.0]],
          "layer_type": "c"], "layer_type"),
    ] }

    @Test("new refusals are JSON 422 naming the field", arguments: 0..<11)
    func refusal(index: Int) throws {
        let (name, body, field) = Self.refusals[index]
        let api = RouterTransport()
        let response = try api.request("POST", "/rotate", json: body)
        #expect(response.status == 422, "\(name): \(response.status) \(response.bodyText)")
        #expect(response.json?["error_type"] as? String == "validation_error", "\(name)")
        #expect((response.json?["error"] as? String)?.contains(field) == true, "\(name): \(response.bodyText)")
    }

    @Test("no_rope_layers derived from no_rope_layer_interval when empty (every interval-th layer has no RoPE)")
    func noRopeLayerInterval() throws {
        var config = try Self.config(ofCase: "131_config_no_rope_layer.json")
        var text = config["text_config"] as! [String: Any]
        text["no_rope_layers"] = [Int]()
        text["no_rope_layer_interval"] = 4
        config["text_config"] = text
        let api = RouterTransport()
        for (layer, applied) in [(2, true), (3, false), (4, true), (47, false)] {
            let response = try api.request("POST", "/frequencies", json: ["config": config, "layer": layer])
            #expect(response.status == 200, "\(response.bodyText)")
            #expect((response.json?["rope_applied"] as? Bool ?? true) == applied, "layer \(layer)")
        }
    }

    @Test("null new fields mean absent, as every field's null does")
    func nullFieldsAreAbsent() throws {
        let api = RouterTransport()
        let plain = try api.request("POST", "/rotate", json: ["embeddings": [[1.0, 2.0, 3.0, 4.0]]])
        let nulls = try api.request("POST", "/rotate", json: [
            "embeddings": [[1.0, 2.0, 3.0, 4.0]], "config": NSNull(), "rope_parameters": NSNull(), "layer": NSNull(),
            "layer_type": NSNull(), "mrope_positions": NSNull()])
        #expect(nulls.status == 200 && nulls.bodyText == plain.bodyText, "\(nulls.bodyText)")
    }

    @Test("config refusals name the field: layer with layer_type, a config key next to config, head dim")
    func configRefusals() throws {
        let gemma = try Self.config(ofCase: "126_config_gemma3_layer_sliding.json")
        let api = RouterTransport()
        let cases: [([String: Any], String)] = [
            (["embeddings": [[Double]](repeating: [Double](repeating: 0, count: 128), count: 1), "config": gemma,
              "layer": 1, "layer_type": "full_attention"], "layer_type"),
            (["embeddings": [[0.0, 1.0]], "config": gemma, "layer": 0, "max_position_embeddings": 8],
             "max_position_embeddings"),
            (["embeddings": [[0.0, 1.0]], "config": gemma, "layer": 0], "head dimension"),
            (["embeddings": [[Double]](repeating: [Double](repeating: 0, count: 128), count: 1), "config": gemma],
             "layer_type"),
            (["embeddings": [[Double]](repeating: [Double](repeating: 0, count: 128), count: 1), "config": gemma,
              "layer": -1], "layer"),
        ]
        for (body, field) in cases {
            let response = try api.request("POST", "/rotate", json: body)
            #expect(response.status == 422, "\(field): \(response.bodyText)")
            #expect((response.json?["error"] as? String)?.contains(field) == true, "\(response.bodyText)")
        }
    }
}
