import Testing
import RoPE
import TensorCodecs

/// Structure, strings, limits and every error kind of the JSON request reader.
@Suite struct JSONRequestReaderTests {
    typealias Support = CodecTestSupport

    @Test func readsTensorsOfAnyRankAndTheOtherFields() throws {
        let text = """
         {"embeddings": [[[1, 2.5], [-3e0, 4]], [[5, 6], [7, 0.125]]],
          "keys": [1.5],
          "rope_theta": 10000, "layout": "half", "inverse": false, "xpos": null,
          "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "short_factor": [1, 2]}}\r\n\t
        """
        let body = try Support.parseJSON(text, tensorFields: ["embeddings", "keys", "queries"])
        #expect(body.tensors["embeddings"] == Tensor(shape: [2, 2, 2], values: [1, 2.5, -3, 4, 5, 6, 7, 0.125]))
        #expect(body.tensors["keys"] == Tensor(shape: [1], values: [1.5]))
        #expect(body.tensors["queries"] == nil)
        #expect(body.fields.keys == ["rope_theta", "layout", "inverse", "xpos", "rope_scaling"])
        #expect(body.fields["layout"] == .string("half"))
        #expect(body.fields["inverse"] == .bool(false))
        #expect(body.fields["xpos"] == .null)
        guard case .object(let scaling)? = body.fields["rope_scaling"] else {
            Issue.record("rope_scaling is not an object")
            return
        }
        #expect(scaling.keys == ["rope_type", "factor", "short_factor"])
        guard case .number(let factor)? = scaling["factor"],
              case .array(let shortFactor)? = scaling["short_factor"]
        else {
            Issue.record("rope_scaling members have the wrong types")
            return
        }
        #expect(factor.literal == "4.0" && factor.doubleValue == 4)
        #expect(shortFactor.count == 2)
    }

    @Test func emptyObjectAndEmptyContainersInFields() throws {
        let body = try Support.parseJSON(" {} ")
        #expect(body.tensors.isEmpty && body.fields.members.isEmpty)
        let nested = try Support.parseJSON(#"{"a": [], "b": {}, "c": [[], {}]}"#)
        #expect(nested.fields["c"] == .array([.array([]), .object(JSONObject())]))
    }

    @Test func decodesStringEscapesAndUTF8() throws {
        let body = try Support.parseJSON(#"{"s": "a\"b\\c\/d\b\f\n\r\t\u00e9\u4E2D\uD83D\uDE00 é中😀"}"#)
        #expect(body.fields["s"] == .string("a\"b\\c/d\u{8}\u{c}\n\r\té中😀 é中😀"))
    }

    @Test(arguments: [
        (#"{"s": "\uD83D"}"#, "lone high surrogate"),
        (#"{"s": "\uDE00"}"#, "lone low surrogate"),
        (#"{"s": "\uD83D\u0041"}"#, "not followed by a low surrogate"),
        (#"{"s": "\x"}"#, "unknown escape"),
        (#"{"s": "\u12G4"}"#, "four hex digits"),
    ])
    func badEscapesAreMalformed(text: String, phrase: String) throws {
        let error = try #require(Support.jsonError(text))
        #expect(error.kind == .malformed)
        #expect(error.field == "s")
        #expect(error.message.contains(phrase), "\(error.message)")
    }

    @Test(arguments: [[0xC3, 0x28], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF],
                      [0x80]])
    func invalidUTF8InStringsIsMalformed(sequence: [UInt8]) throws {
        let bytes = Array(#"{"layout": "a"#.utf8) + sequence + Array(#"b"}"#.utf8)
        let error = try #require(Support.jsonError(bytes))
        #expect(error.kind == .malformed)
        #expect(error.field == "layout")
        #expect(error.offset == 13)
        #expect(error.message.contains("invalid UTF-8"))
    }

    @Test func controlCharactersMustBeEscaped() throws {
        let error = try #require(Support.jsonError("{\"s\": \"a\nb\"}"))
        #expect(error.kind == .malformed && error.offset == 8)
    }

    @Test func duplicateKeysAreMalformedNamingTheKey() throws {
        let top = try #require(Support.jsonError(#"{"rope_theta": 1, "embeddings": [1], "rope_theta": 2}"#))
        #expect(top.kind == .malformed && top.field == nil && top.offset == 37)
        #expect(top.message.contains("duplicate key 'rope_theta'"))
        let tensor = try #require(Support.jsonError(#"{"embeddings": [1], "embeddings": [2]}"#))
        #expect(tensor.kind == .malformed && tensor.message.contains("'embeddings'"))
        let nested = try #require(Support.jsonError(#"{"rope_scaling": {"factor": 1, "factor": 2}}"#))
        #expect(nested.kind == .malformed && nested.field == "rope_scaling")
        #expect(nested.message.contains("duplicate key 'factor'"))
    }

    @Test(arguments: ["", "   ", "{", "{\"a\"", "{\"a\":", "{\"a\": 1", "{\"a\": 1,}", "{,}", "{\"a\" 1}", "{a: 1}",
                      "{\"a\": tru}", "{\"a\": nul}", "{\"a\": [1, 2}", "{\"a\": {\"b\": 1]}", "{} x", "{}{}",
                      "{\"a\": 1} ,", "\u{FEFF}{}", "{'a': 1}", "{\"embeddings\": [[1, 2], [3, 4]}",
                      "{\"embeddings\": [1 2]}", "{\"embeddings\": [1,]}", "{\"embeddings\": [[1],]}",
                      "{\"embeddings\": [", "{\"embeddings\": [[1], [2]", "{\"embeddings\": tru}",
                      "{\"a\": \"unterminated}"])
    func syntaxErrorsAreMalformed(text: String) throws {
        let error = try #require(Support.jsonError(text))
        #expect(error.kind == .malformed, "\(text): \(error)")
        #expect(!error.message.isEmpty && error.offset != nil)
    }

    @Test func trailingGarbageNamesItsOffset() throws {
        let error = try #require(Support.jsonError("{\"a\": 1}  x"))
        #expect(error.kind == .malformed && error.offset == 10 && error.field == nil)
        #expect(error.message.contains("at byte 10"))
    }

    @Test(arguments: [("[1, 2]", "an array"), ("\"text\"", "a string"), ("3", "a number"), ("null", "null")])
    func aTopLevelNonObjectIsInvalid(text: String, found: String) throws {
        let error = try #require(Support.jsonError(text))
        #expect(error.kind == .invalid && error.field == nil)
        #expect(error.message.contains("must be a JSON object, found \(found)"))
    }

    @Test func raggedArraysAreInvalidWithFieldAndOffset() throws {
        let shorter = try #require(Support.jsonError(#"{"embeddings": [[1, 2], [3]]}"#))
        #expect(shorter.kind == .invalid && shorter.field == "embeddings" && shorter.offset == 24)
        #expect(shorter.message == "embeddings: ragged array: an array at depth 2 has 1 element, expected 2 at byte 24")
        let longer = try #require(Support.jsonError(#"{"embeddings": [[1, 2], [3, 4, 5]]}"#))
        #expect(longer.kind == .invalid && longer.message.contains("has 3 elements, expected 2"))
        let numberForArray = try #require(Support.jsonError(#"{"embeddings": [[1, 2], 3]}"#))
        #expect(numberForArray.kind == .invalid && numberForArray.offset == 24
                    && numberForArray.message.contains("ragged"))
        let arrayForNumber = try #require(Support.jsonError(#"{"embeddings": [1, [2]]}"#))
        #expect(arrayForNumber.kind == .invalid && arrayForNumber.offset == 19
                    && arrayForNumber.message.contains("ragged"))
        let deeperOuter = try #require(Support.jsonError(#"{"embeddings": [[[1], [2]], [[3]]]}"#))
        #expect(deeperOuter.kind == .invalid && deeperOuter.message.contains("depth 2 has 1 element, expected 2"))
    }

    @Test(arguments: [("\"1\"", "a string"), ("true", "a boolean"), ("false", "a boolean"), ("null", "null"),
                      ("{}", "an object")])
    func nonNumbersInATensorAreInvalid(element: String, found: String) throws {
        let error = try #require(Support.jsonError("{\"embeddings\": [[1, \(element)]]}"))
        #expect(error.kind == .invalid && error.field == "embeddings" && error.offset == 20)
        #expect(error.message.contains("found \(found)"))
    }

    @Test(arguments: ["[]", "[[]]", "[[], []]", " [ [ [ ] ] ] "])
    func emptyTensorsAreInvalid(tensor: String) throws {
        let error = try #require(Support.jsonError("{\"embeddings\": \(tensor)}"))
        #expect(error.kind == .invalid && error.field == "embeddings")
        #expect(error.message.contains("empty tensor"))
    }

    @Test(arguments: [("null", "null"), ("1", "a number"), ("{\"a\": 1}", "an object"), ("\"x\"", "a string")])
    func aTensorFieldThatIsNotAnArrayIsInvalid(value: String, found: String) throws {
        let error = try #require(Support.jsonError("{\"embeddings\": \(value)}"))
        #expect(error.kind == .invalid && error.field == "embeddings" && error.offset == 15)
        #expect(error.message.contains("found \(found)"))
    }

    @Test func tensorNestingBeyondTheLimitIsTooLarge() throws {
        var limits = CodecLimits()
        limits.maxNestingDepth = 4
        // The object is depth 1, so three tensor axes fit and four do not.
        #expect(Support.jsonError(#"{"embeddings": [[[1]]]}"#, limits: limits) == nil)
        let error = try #require(Support.jsonError(#"{"embeddings": [[[[1]]]]}"#, limits: limits))
        #expect(error.kind == .tooLarge && error.field == "embeddings" && error.offset == 18)
    }

    @Test func hostileNestingFailsFastWithoutRecursion() throws {
        let brackets = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        let bare = try #require(Support.jsonError(brackets))
        #expect(bare.kind == .tooLarge && bare.offset == 64)
        let inField = try #require(Support.jsonError(Array(#"{"a": "#.utf8) + brackets))
        #expect(inField.kind == .tooLarge && inField.field != nil)
        let inTensor = try #require(Support.jsonError(Array(#"{"embeddings": "#.utf8) + brackets))
        #expect(inTensor.kind == .tooLarge && inTensor.field == "embeddings")
        let objects = [UInt8](String(repeating: "{\"a\":", count: 100_000).utf8)
        let nestedObjects = try #require(Support.jsonError(objects))
        #expect(nestedObjects.kind == .tooLarge)
    }

    @Test func tooManyElementsIsTooLarge() throws {
        var limits = CodecLimits()
        limits.maxTensorElements = 6
        #expect(Support.jsonError(#"{"embeddings": [[1, 2, 3], [4, 5, 6]]}"#, limits: limits) == nil)
        let error = try #require(Support.jsonError(#"{"embeddings": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}"#,
                                                   limits: limits))
        #expect(error.kind == .tooLarge && error.field == "embeddings" && error.offset == 39)
        #expect(error.message.contains("more than the limit of 6 elements"))
    }

    @Test func longNumberLiteralsAreTooLarge() throws {
        var limits = CodecLimits()
        limits.maxNumberLength = 20
        let fits = "1." + String(repeating: "5", count: 18)
        let long = "1." + String(repeating: "5", count: 19)
        #expect(Support.jsonError("{\"embeddings\": [\(fits)], \"a\": \(fits)}", limits: limits) == nil)
        let inTensor = try #require(Support.jsonError("{\"embeddings\": [\(long)]}", limits: limits))
        #expect(inTensor.kind == .tooLarge && inTensor.field == "embeddings" && inTensor.offset == 16)
        let inField = try #require(Support.jsonError("{\"rope_theta\": \(long)}", limits: limits))
        #expect(inField.kind == .tooLarge && inField.field == "rope_theta")
    }

    @Test func longStringsAreTooLarge() throws {
        var limits = CodecLimits()
        limits.maxStringLength = 8
        #expect(Support.jsonError(#"{"layout": "12345678"}"#, limits: limits) == nil)
        let plain = try #require(Support.jsonError(#"{"layout": "123456789"}"#, limits: limits))
        #expect(plain.kind == .tooLarge && plain.field == "layout")
        let escaped = try #require(Support.jsonError(#"{"layout": "\n\n\n\n\n\n\n\n\n"}"#, limits: limits))
        #expect(escaped.kind == .tooLarge)
        let key = try #require(Support.jsonError(#"{"123456789": 1}"#, limits: limits))
        #expect(key.kind == .tooLarge)
    }

    @Test func errorsInsideNestedFieldsNameThePath() throws {
        let error = try #require(
            Support.jsonError(#"{"rope_scaling": {"rope_type": "yarn", "long_factor": [1, 2, 01]}}"#))
        #expect(error.kind == .malformed)
        #expect(error.field == "rope_scaling.long_factor[2]")
        #expect(error.message.hasPrefix("rope_scaling.long_factor[2]: "))
        #expect(error.description == error.message)
    }

    @Test func jsonObjectSubscriptAndEquality() {
        let one = JSONValue.number(JSONNumber(literal: "1")!)
        let object = JSONObject(members: [(key: "a", value: one), (key: "b", value: .null)])
        #expect(object["a"] == .number(JSONNumber(literal: "1")!))
        #expect(object["missing"] == nil)
        let equal = JSONObject(members: [(key: "a", value: .number(JSONNumber(literal: "1")!)),
                                         (key: "b", value: .null)])
        #expect(object == equal)
        #expect(object != JSONObject(members: [(key: "b", value: .null), (key: "a", value: one)]))
    }
}
