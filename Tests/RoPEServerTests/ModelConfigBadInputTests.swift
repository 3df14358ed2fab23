import Foundation
import Testing
import RoPEServer
import RoPEServerTestSupport

/// Hostile and mistaken inputs to the model-config, M-RoPE and /spectrum surface (pasted `config`, `layer`,
/// `no_rope_layers`, head dimensions, the default context), through the router: each gets a JSON error naming the
/// field and the service keeps answering. Uses the catalogue's `check`.
@Suite("Bad input: configs, M-RoPE, spectrum")
struct ModelConfigBadInputTests {
    typealias Case = BadInputCatalogueTests.Case

    /// `config` members around a Llama-like text model with 4 layers and head dimension 64 / 16 = 4.
    static func config(_ extra: String) -> String {
        #"{"hidden_size": 64, "num_attention_heads": 16, "num_hidden_layers": 4\#(extra)}"#
    }

    @Test("head dimensions a config gives are positive, and messages name the config's key")
    func configHeadDimensions() throws {
        let api = RouterTransport()
        let embeddings = #""embeddings": [[1, 0, 0.5, 0.25]]"#
        try BadInputCatalogueTests.check([
            Case("num_attention_heads 0 (/spectrum)", "/spectrum",
                 #"{"context": 8, "config": {"hidden_size": 64, "num_attention_heads": 0}}"#,
                 status: 422, mentions: "config.num_attention_heads"),
            Case("num_attention_heads -16 (/rotate, was ignored)", "/rotate",
                 #"{\#(embeddings), "config": {"hidden_size": 64, "num_attention_heads": -16}}"#,
                 status: 422, mentions: "config.num_attention_heads"),
            Case("hidden_size 0", "/rotate",
                 #"{\#(embeddings), "config": {"hidden_size": 0, "num_attention_heads": 4}}"#,
                 status: 422, mentions: "config.hidden_size"),
            Case("head_dim 0", "/spectrum", #"{"context": 8, "config": {"head_dim": 0}}"#, status: 422,
                 mentions: "config.head_dim"),
            Case("text_config.head_dim -4", "/spectrum",
                 #"{"context": 8, "config": {"text_config": {"head_dim": -4}}}"#,
                 status: 422, mentions: "config.text_config.head_dim"),
            Case("global_head_dim 0", "/spectrum",
                 #"{"context": 8, "layer": 0, "config": {"head_dim": 8, "global_head_dim": 0, "#
                     + #""layer_types": ["full_attention"]}}"#,
                 status: 422, mentions: "config.global_head_dim"),
            Case("per_layer_config head_dim -2", "/spectrum",
                 #"{"context": 8, "layer": 0, "config": {"layer_types": ["full_attention"], "#
                     + #""per_layer_config": {"0": {"head_dim": -2}}}}"#,
                 status: 422, mentions: "config.per_layer_config.0.head_dim"),
            Case("odd head_dim from the config names it, not 'dim'", "/spectrum",
                 #"{"context": 8, "config": {"head_dim": 3}}"#, status: 422, mentions: "'config' gives (head_dim)"),
            Case("hidden_size / num_attention_heads above max_dimension", "/spectrum",
                 #"{"context": 8, "config": {"hidden_size": 262144, "num_attention_heads": 2}}"#,
                 status: 413, mentions: "hidden_size / num_attention_heads"),
        ], on: api)
    }

    @Test("no_rope_layers is one 0/1 flag per layer")
    func noRopeLayers() throws {
        let api = RouterTransport()
        let cases = [("values other than 0 and 1", "[2, 3, 4, 5]"), ("negative flags", "[1, -1, 1, 1]"),
                     ("nested lists", "[[1], [0], [1], [1]]"), ("longer than the layers", "[1, 0, 1, 1, 1]"),
                     ("shorter than the layers", "[1, 0]"), ("Int64.min", "[1, -9223372036854775808, 1, 1]")]
        try BadInputCatalogueTests.check(cases.map { name, flags -> Case in
            let config = Self.config(#", "no_rope_layers": \#(flags)"#)
            return Case(name, "/spectrum", #"{"context": 8, "layer": 1, "config": \#(config)}"#, status: 422,
                        mentions: "config.no_rope_layers")
        }, on: api)
        // The valid form still applies: layer 1 has no RoPE.
        let config = Self.config(#", "no_rope_layers": [1, 0, 1, 1]"#)
        let body = #"{"context": 8, "layer": 1, "config": \#(config)}"#
        let response = try api.request("POST", "/spectrum", body: Array(body.utf8))
        #expect(response.status == 200 && response.json?["rope_applied"] as? Bool == false,
                "\(response.bodyText.prefix(200))")
    }

    @Test("/spectrum's default context obeys max_position like an explicit one")
    func defaultContextLimit() throws {
        let api = RouterTransport()
        try BadInputCatalogueTests.check([
            Case("max_position_embeddings Int64.max", "/spectrum",
                 #"{"dim": 8, "max_position_embeddings": 9223372036854775807}"#, status: 422,
                 mentions: "max_position_embeddings"),
            Case("a config's max_position_embeddings", "/spectrum",
                 #"{"config": {"head_dim": 8, "max_position_embeddings": 4611686018427387904}}"#,
                 status: 422, mentions: "'context'"),
            Case("yarn's original context", "/spectrum",
                 #"{"dim": 8, "rope_scaling": {"rope_type": "yarn", "factor": 4, "#
                     + #""original_max_position_embeddings": 2199023255552}}"#,
                 status: 422, mentions: "max_position"),
        ], on: api)
        // An explicit context within the limit overrides a huge default.
        let body = #"{"dim": 8, "context": 16, "max_position_embeddings": 9223372036854775807}"#
        let response = try api.request("POST", "/spectrum", body: Array(body.utf8))
        #expect(response.status == 200, "\(response.bodyText.prefix(200))")
    }

    @Test("JSON text in a query string obeys the configured max_json_depth and max_number_length (413)")
    func queryStringJSONTextLimits() throws {
        let api = RouterTransport { configuration in
            configuration.limits.maxJSONDepth = 4
            configuration.limits.maxNumberLength = 20
        }
        func query(_ items: [(String, String)]) -> String {
            var allowed = CharacterSet.urlQueryAllowed
            allowed.remove(charactersIn: "&=+")
            return items.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
                .joined(separator: "&")
        }
        let deepConfig = #"{"text_config": {"a": {"b": {"c": {"d": {}}}}}}"#
        let longNumber = #"{"rope_theta": 10000.000000000000000000000000000000}"#
        try BadInputCatalogueTests.check([
            .get("config nested past max_json_depth", "/spectrum?" + query([("dim", "8"), ("context", "8"),
                                                                          ("config", deepConfig)]),
                 status: 413, mentions: "config"),
            .get("rope_parameters with a number past max_number_length", "/spectrum?" + query([
                ("dim", "8"), ("context", "8"), ("rope_parameters",
                                                 longNumber)]), status: 413, mentions: "rope_parameters"),
            .get("a nested list past max_json_depth", "/spectrum?" + query([
                ("dim", "8"), ("context", "8"), ("precision_positions", "[[[[[[0]]]]]]")]),
                 status: 413, mentions: "precision_positions"),
        ], on: api)
        // The same nesting in a body is refused alike.
        let body = #"{"dim": 8, "context": 8, "config": \#(deepConfig)}"#
        #expect(try api.request("POST", "/spectrum", body: Array(body.utf8)).status == 413)
    }

    /// Long lists and wide objects outside tensors went through a parser that copied the whole container on every
    /// element (quadratic: hours for a million entries, with a worker stuck meanwhile). Each must be answered
    /// well inside the client's 30 s receive timeout.
    @Test("long lists and wide objects in parameters are answered, not parsed in quadratic time")
    func longParameterContainers() throws {
        let api = RouterTransport()
        let million = "[" + Array(repeating: "7", count: 1_000_000).joined(separator: ",") + "]"
        try BadInputCatalogueTests.check([
            Case("a million-entry unknown list", "/spectrum", #"{"dim": 8, "context": 8, "padding": \#(million)}"#,
                 status: 422, mentions: "padding"),
            Case("a million precision_positions", "/spectrum",
                 #"{"dim": 64, "context": 8, "precision_positions": \#(million)}"#, status: 413,
                 mentions: "precision_positions"),
        ], on: api)
        let types = Array(repeating: #""sliding_attention""#, count: 200_000).joined(separator: ",")
        let unused = (0..<200_000).map { #""unused_\#($0)": \#($0)"# }.joined(separator: ",")
        let body = #"{"context": 8, "layer": 199999, "#
            + #""config": {"head_dim": 8, "layer_types": [\#(types)], \#(unused)}}"#
        let response = try api.request("POST", "/spectrum", body: Array(body.utf8))
        #expect(response.status == 200, "\(response.bodyText.prefix(200))")
    }
}
