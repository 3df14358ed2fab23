import Foundation
import Testing
import RoPEServer
import TensorCodecs
import RoPEServerTestSupport

/// The catalogue of hostile and mistaken inputs the codecs must turn into documented errors, sent through the router
/// in process: 400 not JSON, 413 a limit, 415 a content type the endpoint does not read, 422 valid JSON that breaks
/// the contract. Every answer is a JSON object with string `error` and `error_type`, and the service answers
/// `/health` afterwards. (Body size, short bodies, slow clients, query strings beyond the connection memory and
/// connection limits are the server's: EndToEndTests.)
@Suite("Bad input catalogue")
struct BadInputCatalogueTests {
    /// One request and the answer it must get.
    struct Case: CustomStringConvertible {
        var name: String
        var method = "POST"
        var target: String
        var body: [UInt8]?
        var contentType: String? = "application/json"
        var status: Int
        /// Text the error message must contain, usually the offending field.
        var mentions: String?

        var description: String { name }

        init(_ name: String, _ method: String = "POST", _ target: String, body: [UInt8]?,
             contentType: String? = "application/json", status: Int, mentions: String? = nil) {
            self.name = name
            self.method = method
            self.target = target
            self.body = body
            self.contentType = contentType
            self.status = status
            self.mentions = mentions
        }

        init(_ name: String, _ target: String, _ json: String, status: Int, mentions: String? = nil) {
            self.init(name, "POST", target, body: Array(json.utf8), status: status, mentions: mentions)
        }

        static func get(_ name: String, _ target: String, status: Int, mentions: String? = nil) -> Case {
            Case(name, "GET", target, body: nil, contentType: nil, status: status, mentions: mentions)
        }
    }

    static let errorTypes = [400: "malformed_request", 413: "payload_too_large", 415: "unsupported_media_type",
                             422: "validation_error"]

    /// Sends every case to `api`, checks status, JSON error body and the message, then that /health still answers.
    static func check(_ cases: [Case], on api: some TestTransport,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        for item in cases {
            let response = try api.request(item.method, item.target, body: item.body, contentType: item.contentType)
            #expect(response.status == item.status, "\(item.name): \(response.bodyText.prefix(300))",
                    sourceLocation: sourceLocation)
            #expect(response.headers["content-type"] == "application/json", "\(item.name)",
                    sourceLocation: sourceLocation)
            let json = response.json
            let message = json?["error"] as? String
            #expect(message?.isEmpty == false, "\(item.name): no 'error' string in \(response.bodyText.prefix(300))",
                    sourceLocation: sourceLocation)
            #expect(json?["error_type"] as? String == errorTypes[item.status],
                    "\(item.name): error_type in \(response.bodyText.prefix(300))", sourceLocation: sourceLocation)
            if let mentions = item.mentions {
                #expect(message?.contains(mentions) == true,
                        "\(item.name): '\(mentions)' not named in \(message ?? "nil")", sourceLocation: sourceLocation)
            }
        }
        let health = try api.request("GET", "/health")
        #expect(health.status == 200 && health.json?["status"] as? String == "ok",
                "the service answers /health afterwards", sourceLocation: sourceLocation)
    }


    // MARK: - 400: not JSON

    @Test("invalid UTF-8 anywhere in a body is 400")
    func invalidUTF8() throws {
        let api = RouterTransport()
        let head = text(#"{"embeddings": [[1, 0]], "layout": ""#), tail = text("\"}")
        let sequences: [(String, [UInt8])] = [
            ("lone continuation byte", [0x80]), ("0xFF", [0xFF]), ("overlong '/' C0 AF", [0xC0, 0xAF]),
            ("overlong NUL E0 80 80", [0xE0, 0x80, 0x80]), ("UTF-16 surrogate ED A0 80", [0xED, 0xA0, 0x80]),
            ("above U+10FFFF F4 90 80 80", [0xF4, 0x90, 0x80, 0x80]), ("truncated 3-byte E2 82", [0xE2, 0x82]),
            ("truncated at the end of the body", [0xF0, 0x9F]),
        ]
        var cases = sequences.map { name, sequence in
            Case("in a string value: \(name)", "POST", "/rotate", body: bytes(head, sequence, tail), status: 400,
                 mentions: "UTF-8")
        }
        cases.append(Case("in a key", "POST", "/rotate",
                          body: bytes(text(#"{"embeddings": [[1, 0]], ""#), [0xC3, 0x28], text(#"": 1}"#)),
                          status: 400, mentions: "UTF-8"))
        cases.append(Case("between tokens", "POST", "/rotate",
                          body: bytes(text(#"{"embeddings": [[1, 0]]"#), [0xFF], text("}")), status: 400))
        cases.append(Case("inside a tensor", "POST", "/attention",
                          body: bytes(text(#"{"queries": [[1, "#), [0xC3, 0xA9], text("]]}")),
                          status: 400, mentions: "queries"))
        cases.append(Case("Latin-1 body", "POST", "/frequencies",
                          body: bytes(text(#"{"dim": 8, "layout": "h"#), [0xE4], text(#"lf"}"#)),
                          status: 400, mentions: "UTF-8"))
        cases.append(Case("lone surrogate escape", "/rotate", #"{"embeddings": [[1, 0]], "layout": "\ud800"}"#,
                          status: 400, mentions: "surrogate"))
        try Self.check(cases, on: api)
    }

    @Test("JSON syntax errors, NaN/Infinity literals, duplicate keys and empty bodies are 400")
    func malformed() throws {
        let api = RouterTransport()
        var cases: [Case] = []
        for (name, literal) in [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("nan", "nan"),
                                ("inf", "inf"), ("+1", "+1"), (".5", ".5"), ("1.", "1."), ("01", "01"),
                                ("0x10", "0x10"), ("1e", "1e"), ("-", "-")] {
            cases.append(Case("\(name) in a tensor", "/rotate", #"{"embeddings": [[1, \#(literal)]]}"#, status: 400,
                              mentions: "embeddings"))
            cases.append(Case("\(name) as a parameter", "/rotate",
                              #"{"embeddings": [[1, 0]], "rope_theta": \#(literal)}"#,
                              status: 400, mentions: "rope_theta"))
        }
        cases += [
            Case("NaN in keys", "/attention", #"{"queries": [[1, 0]], "keys": [[NaN, 0]]}"#, status: 400,
                 mentions: "keys"),
            Case("Infinity as dim", "/frequencies", #"{"dim": Infinity}"#, status: 400, mentions: "dim"),
            Case("duplicate top-level key", "/rotate", #"{"embeddings": [[1, 0]], "embeddings": [[0, 1]]}"#,
                 status: 400, mentions: "duplicate"),
            Case("duplicate parameter", "/rotate", #"{"embeddings": [[1, 0]], "offset": 1, "offset": 2}"#, status: 400,
                 mentions: "duplicate"),
            Case("duplicate key in rope_scaling", "/rotate",
                 #"{"embeddings": [[1, 0]], "rope_scaling": {"rope_type": "linear", "factor": 2, "factor": 3}}"#,
                 status: 400, mentions: "duplicate"),
            Case("duplicate key in xpos", "/rotate",
                 #"{"embeddings": [[1, 0]], "xpos": {"role": "key", "role": "query"}}"#,
                 status: 400, mentions: "duplicate"),
            Case("duplicate tensor in attention", "/attention",
                 #"{"queries": [[1, 0]], "keys": [[1, 0]], "queries": [[1, 0]]}"#, status: 400, mentions: "duplicate"),
            Case("duplicate dim", "/frequencies", #"{"dim": 8, "dim": 8}"#, status: 400, mentions: "duplicate"),
            Case("empty body, Content-Length 0", "POST", "/rotate", body: [], status: 400),
            Case("empty body on /attention", "POST", "/attention", body: [], status: 400),
            Case("empty body on POST /frequencies", "POST", "/frequencies", body: [], status: 400),
            Case("whitespace only", "POST", "/rotate", body: text(" \r\n\t "), status: 400),
            Case("truncated object", "/rotate", #"{"embeddings": [[1, 0]]"#, status: 400),
            Case("truncated tensor", "/rotate", #"{"embeddings": [[1, 0"#, status: 400, mentions: "embeddings"),
            Case("truncated string", "/rotate", #"{"embeddings": [[1, 0]], "layout": "ha"#, status: 400),
            Case("trailing garbage", "/rotate", #"{"embeddings": [[1, 0]]} x"#, status: 400),
            Case("two objects", "/rotate", #"{"embeddings": [[1, 0]]}{}"#, status: 400),
            Case("single quotes", "/rotate", #"{'embeddings': [[1, 0]]}"#, status: 400),
            Case("comment", "/rotate", #"{"embeddings": [[1, 0]] /* note */}"#, status: 400),
            Case("trailing comma in object", "/rotate", #"{"embeddings": [[1, 0]],}"#, status: 400),
            Case("trailing comma in tensor", "/rotate", #"{"embeddings": [[1, 0,]]}"#, status: 400,
                 mentions: "embeddings"),
            Case("unquoted key", "/rotate", #"{embeddings: [[1, 0]]}"#, status: 400),
            Case("unescaped control character", "/rotate", "{\"embeddings\": [[1, 0]], \"layout\": \"ha\u{01}lf\"}",
                 status: 400),
            Case("unknown escape", "/rotate", #"{"embeddings": [[1, 0]], "layout": "h\alf"}"#, status: 400),
            Case("True instead of true", "/rotate", #"{"embeddings": [[1, 0]], "inverse": True}"#, status: 400,
                 mentions: "inverse"),
            Case("NUL byte body", "POST", "/rotate", body: [0], status: 400),
        ]
        try Self.check(cases, on: api)
    }

    // MARK: - 413: limits

    @Test("nesting 100000 deep, a million-digit number and oversized strings are 413")
    func limits() throws {
        let api = RouterTransport()
        let depth = 100_000
        let opened = String(repeating: "[", count: depth), closed = String(repeating: "]", count: depth)
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        let digits = String(repeating: "7", count: 1_000_000)
        let longString = String(repeating: "h", count: 70_000)
        let cases = [
            Case("tensor nested 100000 deep", "/rotate", #"{"embeddings": \#(opened)1\#(closed)}"#, status: 413,
                 mentions: "nesting"),
            Case("positions nested 100000 deep", "/rotate",
                 #"{"embeddings": [[1, 0]], "positions": \#(opened)\#(closed)}"#, status: 413, mentions: "positions"),
            Case("unclosed nesting 100000 deep", "/attention", #"{"queries": \#(opened)"#, status: 413,
                 mentions: "queries"),
            Case("objects nested 100000 deep in rope_scaling", "/rotate",
                 #"{"embeddings": [[1, 0]], "rope_scaling": \#(objects)}"#, status: 413, mentions: "rope_scaling"),
            Case("top-level array nested 100000 deep", "/frequencies", opened + closed, status: 413,
                 mentions: "nesting"),
            Case("a million-digit number in a tensor", "/rotate", #"{"embeddings": [[\#(digits), 0]]}"#, status: 413,
                 mentions: "embeddings"),
            Case("a million-digit fraction in keys", "/attention",
                 #"{"queries": [[1, 0]], "keys": [[0.\#(digits), 0]]}"#, status: 413, mentions: "keys"),
            Case("a million-digit parameter", "/rotate", #"{"embeddings": [[1, 0]], "rope_theta": \#(digits)}"#,
                 status: 413, mentions: "rope_theta"),
            Case("a million-digit exponent", "/frequencies", #"{"dim": 8, "rope_theta": 1e\#(digits)}"#, status: 413,
                 mentions: "rope_theta"),
            Case("a million-digit position", "/rotate", #"{"embeddings": [[1, 0]], "positions": [\#(digits)]}"#,
                 status: 413, mentions: "positions"),
            Case("a 70000-byte string value", "/rotate", #"{"embeddings": [[1, 0]], "layout": "\#(longString)"}"#,
                 status: 413, mentions: "layout"),
            Case("a 70000-byte key", "/rotate", #"{"embeddings": [[1, 0]], "\#(longString)": 1}"#, status: 413),
            Case("head dimension above max_dimension", "/rotate",
                 #"{"embeddings": [[\#(Array(repeating: "0", count: 65_538).joined(separator: ","))]]}"#, status: 413,
                 mentions: "max_dimension"),
            Case("seq_len above max_sequence_length", "/frequencies", #"{"dim": 8, "seq_len": 2000000}"#, status: 413,
                 mentions: "seq_len"),
            Case("dim above max_dimension", "/frequencies", #"{"dim": 131072}"#, status: 413, mentions: "dim"),
            .get("decay points above max_sequence_length", "/decay?dim=8&points=2000000", status: 413,
                 mentions: "points"),
            .get("decay dim above max_dimension", "/decay?dim=131072", status: 413, mentions: "dim"),
        ]
        try Self.check(cases, on: api)
    }

    @Test("configured limits: tensor elements, attention scores, nesting and number length are 413")
    func configuredLimits() throws {
        let api = RouterTransport {
            $0.limits.maxTensorElements = 64
            $0.limits.maxAttentionScores = 16
            $0.limits.maxJSONDepth = 4
            $0.limits.maxNumberLength = 16
        }
        let row = "[" + Array(repeating: "1", count: 8).joined(separator: ",") + "]"
        let tensor = { (rows: Int) in "[" + Array(repeating: row, count: rows).joined(separator: ",") + "]" }
        let cases = [
            Case("tensor above max_tensor_elements", "/rotate", #"{"embeddings": \#(tensor(9))}"#, status: 413,
                 mentions: "embeddings"),
            Case("score matrix above max_attention_scores", "/attention",
                 #"{"queries": \#(tensor(5)), "keys": \#(tensor(5))}"#, status: 413, mentions: "max_attention_scores"),
            Case("nesting above max_json_depth", "/rotate", #"{"embeddings": [[[[[1, 0]]]]]}"#, status: 413,
                 mentions: "nesting"),
            Case("number above max_number_length", "/rotate", #"{"embeddings": [[1.00000000000000000001, 0]]}"#,
                 status: 413, mentions: "embeddings"),
        ]
        try Self.check(cases, on: api)
    }

    @Test("parameters whose results overflow are 422, never a 200 with null for infinity")
    func overflowingResults() throws {
        let api = RouterTransport()
        let cases = [
            // Was 200 with "wavelengths": [6.28, null, null, null].
            .get("YaRN factor 1e308",
                 "/frequencies?dim=8&rope_type=yarn&factor=1e308&original_max_position_embeddings=1",
                 status: 422, mentions: "rope_scaling.factor"),
            Case("YaRN factor 1e308 in a body", "/frequencies",
                 #"{"dim": 8, "rope_scaling": {"rope_type": "yarn", "factor": 1e308, "#
                    + #""original_max_position_embeddings": 1}}"#,
                 status: 422, mentions: "rope_scaling.factor"),
            .get("rope_theta 1e-300 at d = 64", "/frequencies?dim=64&rope_theta=1e-300&position=1099511627776",
                 status: 422, mentions: "rope_theta"),
            // Was 200 with "scores": [[null]], which reads as a masked key.
            Case("attention scale -1e308 with softmax", "/attention",
                 #"{"queries": [[3e38, 0]], "keys": [[3e38, 0]], "scale": -1e308, "softmax": true}"#, status: 422,
                 mentions: "scale"),
            Case("attention score below -FLT_MAX", "/attention",
                 #"{"queries": [[3e38, 0]], "keys": [[3e38, 0]], "scale": -1}"#, status: 422, mentions: "overflow"),
        ]
        try Self.check(cases, on: api)
    }

    @Test("limits configured up to Int.max never overflow the work bound of /decay")
    func decayWithLimitsAtIntMax() throws {
        // Was: "Swift runtime failure: arithmetic overflow" (the whole server down) on any /decay request once
        // --max-tensor-elements was above Int.max / 4, and for dim >= 2^33 once --max-dimension allowed it.
        let api = RouterTransport {
            $0.limits.maxTensorElements = Int.max
            $0.limits.maxDimension = Int.max
        }
        let small = try api.request("GET", "/decay?dim=8&points=2")
        #expect(small.status == 200, "\(small.bodyText.prefix(200))")
        try Self.check([.get("dim 2^33", "/decay?dim=8589934592", status: 413, mentions: "points"),
                        .get("dim 2^62", "/decay?dim=4611686018427387904&points=1", status: 413, mentions: "points")],
                       on: api)
    }

    // MARK: - 415: content types

    @Test("content types an endpoint does not read are 415")
    func unsupportedMediaTypes() throws {
        let api = RouterTransport()
        let body = text(#"{"embeddings": [[1, 0]]}"#)
        let cases = [
            Case("text/plain on /rotate", "POST", "/rotate", body: body, contentType: "text/plain", status: 415),
            Case("no Content-Type on /rotate", "POST", "/rotate", body: body, contentType: nil, status: 415),
            Case("form encoding on /rotate", "POST", "/rotate", body: text("embeddings=1"),
                 contentType: "application/x-www-form-urlencoded", status: 415),
            Case("application/jsonx on /rotate", "POST", "/rotate", body: body, contentType: "application/jsonx",
                 status: 415),
            Case(".npy on POST /frequencies", "POST", "/frequencies", body: text(#"{"dim": 8}"#),
                 contentType: "application/x-npy", status: 415),
            Case("text/json on /frequencies", "POST", "/frequencies", body: text(#"{"dim": 8}"#),
                 contentType: "text/json", status: 415),
        ]
        try Self.check(cases, on: api)
    }

    // MARK: - 422: unknown names and huge query strings

    @Test("unknown fields and query parameters are 422 naming them")
    func unknownNames() throws {
        let api = RouterTransport()
        let npy = NPYFixture.body
        let cases = [
            Case("unknown body field", "/rotate", #"{"embeddings": [[1, 0]], "theta": 5}"#, status: 422,
                 mentions: "theta"),
            Case("unknown field in attention", "/attention", #"{"queries": [[1, 0]], "keys": [[1, 0]], "mask": true}"#,
                 status: 422, mentions: "mask"),
            Case("unknown field in frequencies", "/frequencies", #"{"dim": 8, "sequence_length": 3}"#, status: 422,
                 mentions: "sequence_length"),
            Case("unknown rope_scaling key", "/rotate",
                 #"{"embeddings": [[1, 0]], "rope_scaling": {"rope_type": "linear", "factr": 2}}"#, status: 422,
                 mentions: "rope_scaling.factr"),
            Case("key of another rope_type", "/rotate",
                 #"{"embeddings": [[1, 0]], "rope_scaling": {"rope_type": "linear", "factor": 2, "beta_fast": 32}}"#,
                 status: 422, mentions: "beta_fast"),
            Case("unknown xpos key", "/rotate", #"{"embeddings": [[1, 0]], "xpos": {"role": "key", "base": 1}}"#,
                 status: 422, mentions: "xpos.base"),
            .get("unknown query parameter on GET /frequencies", "/frequencies?dim=8&sequence_length=3", status: 422,
                 mentions: "sequence_length"),
            .get("unknown query parameter on /decay", "/decay?dim=8&distance=5", status: 422, mentions: "distance"),
            .get("JSON-only name in a query string", "/frequencies?dim=8&rope_scaling=x", status: 422,
                 mentions: "rope_scaling"),
            .get("query parameter given twice", "/decay?dim=8&dim=16", status: 422, mentions: "dim"),
            .get("invalid UTF-8 in a query value", "/frequencies?dim=8&layout=%FF%FE", status: 422, mentions: "layout"),
            .get("invalid UTF-8 in a query name", "/frequencies?dim=8&%C0%AF=1", status: 422, mentions: "unknown"),
            Case("query parameter with a JSON body", "/rotate?offset=1", #"{"embeddings": [[1, 0]]}"#, status: 422,
                 mentions: "offset"),
            Case("query parameter with a JSON attention body", "/attention?causal=true",
                 #"{"queries": [[1, 0]], "keys": [[1, 0]]}"#, status: 422, mentions: "causal"),
            Case("query parameter with POST /frequencies", "/frequencies?dim=8", #"{"dim": 8}"#, status: 422,
                 mentions: "dim"),
            Case("unknown query parameter with an .npy body", "POST", "/rotate?ofset=1", body: npy,
                 contentType: "application/x-npy", status: 422, mentions: "ofset"),
            Case("JSON-only name with an .npy body", "POST", "/rotate?xpos=query", body: npy,
                 contentType: "application/x-npy", status: 422, mentions: "xpos"),
        ]
        try Self.check(cases, on: api)
    }

    @Test("huge query strings within the connection memory are 422 naming the parameter")
    func hugeQueryStrings() throws {
        let api = RouterTransport()
        let long = String(repeating: "a", count: 20_000)
        let many = (0..<300).map { "p\($0)=1" }.joined(separator: "&")
        let cases: [Case] = [
            .get("20000-byte unknown parameter value", "/frequencies?dim=8&x=\(long)", status: 422, mentions: "'x'"),
            .get("20000-byte unknown parameter name", "/decay?dim=8&\(long)=1", status: 422, mentions: "unknown"),
            .get("20000-digit dim", "/frequencies?dim=\(String(repeating: "9", count: 20_000))", status: 422,
                 mentions: "dim"),
            .get("20000-byte layout", "/frequencies?dim=8&layout=\(long)", status: 422, mentions: "layout"),
            .get("20000-entry positions list",
                 "/frequencies?dim=8&position=\(Array(repeating: "1", count: 10_000).joined(separator: ","))",
                 status: 422, mentions: "position"),
            .get("300 unknown parameters", "/decay?dim=8&\(many)", status: 422, mentions: "p0"),
            Case("20000-byte positions on .npy /rotate", "POST",
                 "/rotate?positions=\(Array(repeating: "1", count: 10_000).joined(separator: ","))",
                 body: NPYFixture.body, contentType: "application/x-npy", status: 422, mentions: "positions"),
        ]
        try Self.check(cases, on: api)
    }

    // MARK: - 422: every wrong type for every field

    /// The JSON type a field takes, which decides the values of other types to send.
    enum Kind {
        case tensor, number, integer, boolean, string, object, integerList, numberList

        /// JSON literals of the wrong type for this kind (null means absent for optional fields, so it is not here).
        var wrongJSON: [String] {
            switch self {
            case .tensor: [#""x""#, "7", "1.5", "true", "{}", "null", #"[["x", 1]]"#, "[[true, 1]]", "[[null, 1]]",
                           "[[{}, 1]]"]
            case .number: [#""x""#, #""7""#, "true", "[1]", "{}"]
            case .integer: ["1.5", "1e2", "1.0", #""7""#, "true", "[1]", "{}"]
            case .boolean: [#""true""#, "1", "0", "1.5", "[true]", "{}"]
            case .string: ["7", "1.5", "true", #"["half"]"#, "{}"]
            case .object: [#""x""#, "7", "true", "[1]"]
            case .integerList: [#""0,1""#, "7", "true", "{}", "[1.5, 2]", #"["0", "1"]"#, "[true, false]", "[null, 1]",
                                "[{}]"]
            case .numberList: [#""1,1""#, "7", "true", "{}", #"["1", "1"]"#, "[true, false]", "[[1], [1]]", "[null, 1]"]
            }
        }

        /// Query-string values that do not parse as this kind (every query value is text).
        var wrongQuery: [String] {
            switch self {
            case .number: ["abc", "nan", "inf", "-Infinity", "true", "", "1,2", "0x10", "%2B1", "1e999"]
            case .integer: ["abc", "1.5", "1e2", "true", "", "[1]", "0x10", "07", "99999999999999999999"]
            case .boolean: ["yes", "1", "TRUE", "", "on"]
            case .integerList, .numberList: ["a,b", "[1,", "true", "1,,2", "{}"]
            case .tensor, .string, .object: []
            }
        }
    }

    /// A request body to mutate: its members, one of which is replaced (or added) with a wrong value.
    struct Template {
        var endpoint: String
        var members: [(String, String)]
        /// The object a nested field lives in (`rope_scaling`, `xpos`) and that object's other members.
        var nested: (name: String, members: [(String, String)])?

        func body(setting field: String, to literal: String) -> String {
            func object(_ members: [(String, String)]) -> String {
                var members = members
                if let index = members.firstIndex(where: { $0.0 == field }) {
                    members[index].1 = literal
                } else {
                    members.append((field, literal))
                }
                return "{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
            }
            guard let nested else { return object(members) }
            let inner = object(nested.members)
            return "{" + (members + [(nested.name, inner)]).map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
    }

    static let ropeFields: [(String, Kind)] = [
        ("rope_theta", .number), ("rotary_dim", .integer), ("partial_rotary_factor", .number), ("layout", .string),
        ("rope_scaling", .object), ("max_position_embeddings", .integer), ("apply_attention_scaling", .boolean),
    ]

    /// Every field of every JSON endpoint, and nested object, with its kind.
    static let jsonTables: [(Template, [(String, Kind)])] = {
        let rotate = Template(endpoint: "/rotate",
                              members: [("embeddings", "[[1, 0, 0, 1], [0, 1, 1, 0]]"), ("positions", "[0, 1]")])
        let attention = Template(endpoint: "/attention",
                                 members: [("queries", "[[1, 0, 0, 1]]"), ("keys", "[[1, 0, 0, 1], [0, 1, 1, 0]]")])
        let frequencies = Template(endpoint: "/frequencies", members: [("dim", "8")])
        func scaling(_ members: [(String, String)]) -> Template {
            Template(endpoint: "/rotate", members: [("embeddings", "[[1, 0, 0, 1]]")],
                     nested: ("rope_scaling", members))
        }
        let yarn = scaling([("rope_type", #""yarn""#), ("factor", "4"), ("original_max_position_embeddings", "2048")])
        let llama3 = scaling([("rope_type", #""llama3""#), ("factor", "8")])
        let longrope = scaling([("rope_type", #""longrope""#), ("short_factor", "[1, 1]"), ("long_factor", "[2, 2]"),
                                ("original_max_position_embeddings", "4096")])
        let dynamic = scaling([("rope_type", #""dynamic""#), ("factor", "2"), ("max_position_embeddings", "2048")])
        let legacy = scaling([("type", #""linear""#), ("factor", "2")])
        let xpos = Template(endpoint: "/rotate", members: [("embeddings", "[[1, 0, 0, 1]]")],
                            nested: ("xpos", [("role", #""query""#)]))
        return [
            (rotate, [("embeddings", .tensor), ("positions", .integerList), ("offset", .integer), ("inverse", .boolean),
                      ("xpos", .object)] + ropeFields),
            (attention, [("queries", .tensor), ("keys", .tensor), ("query_positions", .integerList),
                         ("key_positions", .integerList), ("scale", .number), ("causal", .boolean),
                         ("softmax", .boolean)]
                + ropeFields),
            (frequencies, [("dim", .integer), ("seq_len", .integer), ("position", .integer)] + ropeFields),
            (yarn, [("rope_type", .string), ("factor", .number), ("original_max_position_embeddings", .integer),
                    ("max_position_embeddings", .integer), ("beta_fast", .number), ("beta_slow", .number),
                    ("mscale", .number), ("mscale_all_dim", .number), ("attention_factor", .number),
                    ("truncate", .boolean)]),
            (llama3, [("low_freq_factor", .number), ("high_freq_factor", .number),
                      ("original_max_position_embeddings", .integer)]),
            (longrope, [("short_factor", .numberList), ("long_factor", .numberList), ("factor", .number),
                        ("attention_factor", .number)]),
            (dynamic, [("factor", .number), ("original_max_position_embeddings", .integer)]),
            (legacy, [("type", .string)]),
            (xpos, [("role", .string), ("scale_base", .number)]),
        ]
    }()

    @Test("every wrong JSON type for every field of /rotate, /attention, /frequencies is 422 naming the field")
    func wrongJSONTypes() throws {
        let api = RouterTransport()
        var cases: [Case] = []
        for (template, fields) in Self.jsonTables {
            // "the templates of the wrong-type table are valid requests" checks the unmodified templates succeed.
            for (field, kind) in fields {
                let named = template.nested.map { "\($0.name).\(field)" } ?? field
                for literal in kind.wrongJSON {
                    cases.append(Case("\(template.endpoint) \(named) = \(literal)", template.endpoint,
                                      template.body(setting: field, to: literal), status: 422, mentions: named))
                }
            }
        }
        #expect(cases.count > 250)
        try Self.check(cases, on: api)
    }

    @Test("the templates of the wrong-type table are valid requests")
    func templatesAreValid() throws {
        let api = RouterTransport()
        for (template, _) in Self.jsonTables {
            var members = template.members
            if let nested = template.nested {
                members.append((nested.name,
                                "{" + nested.members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"))
            }
            let body = "{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
            let response = try api.request("POST", template.endpoint, body: Array(body.utf8))
            #expect(response.status == 200, "\(body): \(response.bodyText.prefix(200))")
        }
        for target in Self.queryTables.map(\.base) {
            let response = target.hasPrefix("/rotate")
                ? try api.request("POST", target, body: NPYFixture.body, contentType: "application/x-npy")
                : try api.request("GET", target)
            #expect(response.status == 200, "\(target): \(response.bodyText.prefix(200))")
        }
    }

    /// Query-string endpoints: a valid target and the parameters to spoil, with their kinds.
    static let queryTables: [(base: String, fields: [(String, Kind)])] = [
        ("/frequencies?dim=8",
         [("dim", .integer), ("seq_len", .integer), ("position", .integer), ("rope_theta", .number),
                                ("rotary_dim", .integer), ("partial_rotary_factor", .number),
                                ("max_position_embeddings", .integer), ("apply_attention_scaling", .boolean)]),
        ("/frequencies?dim=8&rope_type=yarn&factor=4&original_max_position_embeddings=2048",
         [("factor", .number), ("original_max_position_embeddings", .integer), ("beta_fast", .number),
          ("beta_slow", .number),
          ("mscale", .number), ("mscale_all_dim", .number), ("attention_factor", .number), ("truncate", .boolean)]),
        ("/frequencies?dim=4&rope_type=longrope&short_factor=1,1&long_factor=2,2&original_max_position_embeddings=4096",
         [("short_factor", .numberList), ("long_factor", .numberList)]),
        ("/frequencies?dim=8&rope_type=llama3&factor=8", [("low_freq_factor", .number), ("high_freq_factor", .number)]),
        ("/decay?dim=8", [("dim", .integer), ("rope_theta", .number), ("max_distance", .number), ("points", .integer)]),
        ("/rotate?positions=0,1", [("positions", .integerList), ("offset", .integer), ("inverse", .boolean),
                                   ("rope_theta", .number), ("rotary_dim", .integer)]),
        ("/rotate?xpos_role=query", [("xpos_scale_base", .number)]),
    ]

    @Test("every unparsable query value for every parameter of /frequencies, /decay and .npy /rotate is 422 naming it")
    func wrongQueryValues() throws {
        let api = RouterTransport()
        var cases: [Case] = []
        for (base, fields) in Self.queryTables {
            let (path, query) = (String(base.split(separator: "?")[0]), String(base.split(separator: "?")[1]))
            for (field, kind) in fields {
                for value in kind.wrongQuery {
                    var items = query.split(separator: "&").map(String.init).filter { !$0.hasPrefix(field + "=") }
                    items.append("\(field)=\(value)")
                    let target = path + "?" + items.joined(separator: "&")
                    if path == "/rotate" {
                        cases.append(Case("\(target)", "POST", target, body: NPYFixture.body,
                                          contentType: "application/x-npy", status: 422, mentions: field))
                    } else {
                        cases.append(.get(target, target, status: 422, mentions: field))
                    }
                }
            }
        }
        #expect(cases.count > 150)
        try Self.check(cases, on: api)
    }
}

/// The concatenation of byte runs.
private func bytes(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }
/// The UTF-8 of a string.
private func text(_ string: String) -> [UInt8] { Array(string.utf8) }

/// A small float32 .npy body, shape (2, 4), written by the service's own writer.
enum NPYFixture {
    static let body: [UInt8] = {
        let values: [Float] = [1, 0, 0, 1, 0, 1, 1, 0]
        var buffer: ResponseBuffer?
        values.withUnsafeBufferPointer { buffer = NPYWriter.write($0, shape: [2, 4]) }
        return buffer.take()!.withUnsafeBytes { Array($0) }
    }()
}
