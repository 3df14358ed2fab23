import Foundation
import TensorCodecs

/// The named parameters of one request, from a JSON body or a query string, read with type checks and
/// consumed as they are read so that whatever is left over can be rejected as unknown.
///
/// Query-string values are text: numbers, booleans and lists are parsed from it (`0,1,2` or `[0,1,2]` for lists);
/// JSON values must already have the right JSON type (`"10000"` is not a number).
struct RequestFields {
    /// Where the values came from, which decides how strictly types are read.
    enum Origin { case jsonBody, queryString }

    let origin: Origin
    /// Prefix for field names in messages, e.g. `rope_scaling.` for the nested object.
    let prefix: String
    private var values: [String: JSONValue]
    private var order: [String]
    private var consumed: Set<String> = []
    /// The limits JSON text in a query-string value is parsed with (a body's are applied when it is parsed).
    private var queryTextLimits = CodecLimits()

    /// Fields of a JSON object.
    init(object: JSONObject, prefix: String = "") {
        origin = .jsonBody
        self.prefix = prefix
        values = Dictionary(object.members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        order = object.keys
    }

    /// Fields of a query string; a name given twice is an error. JSON text values (objects, nested lists) are
    /// parsed within `limits`, the server's, as a body would be.
    init(query: [(name: String, value: String)], limits: CodecLimits) throws(HTTPError) {
        origin = .queryString
        prefix = ""
        values = [:]
        order = []
        queryTextLimits = limits
        for (name, value) in query {
            guard values[name] == nil else {
                throw .invalid("query parameter '\(name)' is given more than once")
            }
            values[name] = .string(value)
            order.append(name)
        }
    }

    /// Whether `name` is present with a value other than null (without consuming it).
    func contains(_ name: String) -> Bool {
        guard let value = values[name] else { return false }
        if case .null = value { return false }
        return true
    }

    /// Whether `name` is present, even as null (without consuming it).
    func has(_ name: String) -> Bool { values[name] != nil }

    /// Every name present, in document order.
    var names: [String] { order }

    /// Whether every member is an object or null, there is at least one, and none is named like a key of a RoPE
    /// object: the `rope_parameters` form keyed by layer type (`{"full_attention": {...}, "sliding_attention":
    /// {...}}`) rather than one RoPE object (`{"rope_type": null}` is the latter).
    func isKeyedByLayerType(objectKeys: [String]) -> Bool {
        !order.isEmpty && !order.contains(where: objectKeys.contains) && order.allSatisfy { name in
            switch values[name] {
            case .object, .null: true
            default: false
            }
        }
    }

    /// Names present and not yet read.
    var unreadNames: [String] { order.filter { !consumed.contains($0) } }

    /// Throws 422 naming the first field that no reader asked for: a typo must never silently give defaults.
    func rejectUnread(known: [String]? = nil) throws(HTTPError) {
        guard let name = unreadNames.first else { return }
        let place = origin == .queryString ? "query parameter" : "field"
        var message = "unknown \(place) '\(prefix)\(name)'"
        if let known, !known.isEmpty { message += "; known: \(known.joined(separator: ", "))" }
        throw .invalid(message)
    }

    private mutating func take(_ name: String) -> JSONValue? {
        // Only names that are present are remembered (`unreadNames` looks at no others): most requests give few
        // of the parameters every decoder asks for, and hashing each absent name into a set cost more than the rest.
        guard !values.isEmpty, let value = values[name] else { return nil }
        consumed.insert(name)
        if case .null = value { return nil }
        return value
    }

    private func typeError(_ name: String, _ expected: String) -> HTTPError {
        .invalid("'\(prefix)\(name)' must be \(expected)")
    }

    /// A finite number.
    mutating func double(_ name: String) throws(HTTPError) -> Double? {
        guard let value = take(name) else { return nil }
        let number: Double?
        switch value {
        case .number(let n): number = n.doubleValue
        case .string(let text) where origin == .queryString: number = Self.parseNumber(text)
        default: number = nil
        }
        guard let number, number.isFinite else { throw typeError(name, "a finite number") }
        return number
    }

    /// An integer (no fraction, no exponent) that fits in Int.
    mutating func int(_ name: String) throws(HTTPError) -> Int? {
        guard let value = take(name) else { return nil }
        guard let integer = Self.integer(from: value, origin: origin) else { throw typeError(name, "an integer") }
        return integer
    }

    /// `true` or `false`.
    mutating func bool(_ name: String) throws(HTTPError) -> Bool? {
        guard let value = take(name) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string("true") where origin == .queryString: return true
        case .string("false") where origin == .queryString: return false
        default: throw typeError(name, "true or false")
        }
    }

    /// A string.
    mutating func string(_ name: String) throws(HTTPError) -> String? {
        guard let value = take(name) else { return nil }
        guard case .string(let text) = value else { throw typeError(name, "a string") }
        return text
    }

    /// A flat list of finite numbers.
    mutating func doubles(_ name: String) throws(HTTPError) -> [Double]? {
        guard let list = try list(name) else { return nil }
        var result: [Double] = []
        result.reserveCapacity(list.count)
        for element in list {
            switch element {
            case .number(let n) where n.doubleValue.isFinite: result.append(n.doubleValue)
            case .string(let text) where origin == .queryString:
                guard let number = Self.parseNumber(text), number.isFinite else {
                    throw typeError(name, "a list of finite numbers")
                }
                result.append(number)
            default: throw typeError(name, "a list of finite numbers")
            }
        }
        return result
    }

    /// Integers as a flat list, or nested lists flattened with the shape of the nesting
    /// (`[[1,2],[3,4]]` -> shape [2,2]).
    mutating func integerGrid(_ name: String) throws(HTTPError) -> (values: [Int], shape: [Int])? {
        guard let list = try list(name) else { return nil }
        var values: [Int] = []
        var shape: [Int] = []
        try Self.flattenIntegers(.array(list), depth: 0, into: &values, shape: &shape, field: prefix + name,
                                 origin: origin)
        return (values, shape)
    }

    /// A nested object, as fields of its own; in a query string, the object's JSON text.
    mutating func object(_ name: String) throws(HTTPError) -> RequestFields? {
        guard var value = take(name) else { return nil }
        if case .string(let text) = value, origin == .queryString { value = try parseJSONText(text, field: name) }
        guard case .object(let object) = value else { throw typeError(name, "an object") }
        return RequestFields(object: object, prefix: prefix + name + ".")
    }

    /// A list of strings.
    mutating func strings(_ name: String) throws(HTTPError) -> [String]? {
        guard let list = try list(name) else { return nil }
        var result: [String] = []
        for element in list {
            guard case .string(let text) = element else { throw typeError(name, "a list of strings") }
            result.append(text)
        }
        return result
    }

    /// JSON text from a query string parsed as one JSON value (objects, nested lists).
    private func parseJSONText(_ text: String, field: String) throws(HTTPError) -> JSONValue {
        let wrapped = Array("{\"value\":\(text)}".utf8)
        let limits = queryTextLimits  // the wrapping object counts as a body's top-level object does
        let parsed = wrapped.withUnsafeBytes { bytes -> Result<JSONRequestBody, CodecError> in
            do throws(CodecError) {
                return .success(try JSONRequestReader.parse(bytes, tensorFields: [], limits: limits))
            } catch {
                return .failure(error)
            }
        }
        switch parsed {
        case .success(let body): return body.fields["value"] ?? .null
        case .failure(let error) where error.kind == .tooLarge:
            throw .tooLarge("query parameter '\(field)': \(error.message)")
        case .failure(let error):
            throw .invalid("query parameter '\(field)' is not valid JSON text: \(error.message)")
        }
    }

    private mutating func list(_ name: String) throws(HTTPError) -> [JSONValue]? {
        guard let value = take(name) else { return nil }
        switch value {
        case .array(let elements): return elements
        case .string(let text) where origin == .queryString && text.hasPrefix("[["):
            // Nested lists (3-axis positions) travel as JSON text.
            guard case .array(let elements) = try parseJSONText(text, field: name) else {
                throw typeError(name, "a list")
            }
            return elements
        case .string(let text) where origin == .queryString:
            var body = Substring(text).trimmingCharacters(in: .whitespaces)[...]
            if body.hasPrefix("[") && body.hasSuffix("]") { body = body.dropFirst().dropLast() }
            if body.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
            return body.split(separator: ",", omittingEmptySubsequences: false)
                .map { .string($0.trimmingCharacters(in: .whitespaces)) }
        default: throw typeError(name, "a list")
        }
    }

    private static func flattenIntegers(_ value: JSONValue, depth: Int, into values: inout [Int], shape: inout [Int],
                                        field: String, origin: Origin) throws(HTTPError) {
        guard case .array(let elements) = value else {
            guard let integer = integer(from: value, origin: origin) else {
                throw .invalid("'\(field)' must contain only integers (found \(describe(value)))")
            }
            guard depth == shape.count else { throw .invalid("'\(field)' is ragged: mixes numbers and lists") }
            values.append(integer)
            return
        }
        if depth == shape.count {
            guard values.isEmpty || depth == 0 else { throw .invalid("'\(field)' is ragged: mixes numbers and lists") }
            shape.append(elements.count)
        } else if depth > shape.count || shape[depth] != elements.count {
            throw .invalid("'\(field)' is ragged: lists at depth \(depth) differ in length")
        }
        for element in elements {
            try flattenIntegers(element, depth: depth + 1, into: &values, shape: &shape, field: field, origin: origin)
        }
    }

    private static func integer(from value: JSONValue, origin: Origin) -> Int? {
        switch value {
        case .number(let n): return n.integerValue
        case .string(let text) where origin == .queryString:
            guard isIntegerLiteral(text) else { return nil }
            return Int(text)
        default: return nil
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): String(flag)
        case .number(let n): n.literal
        case .string(let text): "\"\(text.prefix(40))\""
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// `-?digits` with no leading zeros (JSON's integer grammar).
    static func isIntegerLiteral(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        if first == UInt8(ascii: "0") && bytes.count > 1 { return false }
        return bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// A number in JSON's grammar (no `nan`, `inf`, hex or leading `+`); nil otherwise.
    static func parseNumber(_ text: String) -> Double? {
        let grammar = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/
        guard text.utf8.count <= 512, (try? grammar.wholeMatch(in: text)) != nil else { return nil }
        return Double(text)
    }
}
