import Foundation

/// One reference case of Tests/Golden (see its README.md): a request and the expected answer.
public struct GoldenCase: CustomStringConvertible {
    public let file: String
    public let name: String
    public let endpoint: String
    public let method: String
    public let request: Any?
    public let rawBody: String?
    public let contentType: String?
    public let syntheticBody: [String: Any]?
    public let expectedStatus: Int
    public let expected: [String: Any]
    public let rtol: Double
    public let atol: Double
    public let tolerances: [String: [String: Double]]

    public var description: String { file }

    public static let directory = RepositoryPaths.golden

    /// File names of every case, sorted.
    public static var allFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
    }

    public init(file: String) throws {
        self.file = file
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(file))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        name = object["name"] as! String
        endpoint = object["endpoint"] as! String
        method = object["method"] as! String
        request = object["request"] is NSNull ? nil : object["request"]
        rawBody = object["raw_body"] as? String
        contentType = object["content_type"] as? String
        syntheticBody = object["synthetic_body"] as? [String: Any]
        expectedStatus = (object["expected_status"] as? Int) ?? 200
        expected = (object["expected"] as? [String: Any]) ?? [:]
        rtol = (object["rtol"] as? Double) ?? 0
        atol = (object["atol"] as? Double) ?? 0
        tolerances = (object["tolerances"] as? [String: [String: Double]]) ?? [:]
    }

    /// The request target with the query string for GET cases.
    public var target: String {
        guard method == "GET", let query = (request as? [String: Any])?["query"] as? [String: String],
              !query.isEmpty else {
            return endpoint
        }
        var components = URLComponents()
        components.queryItems = query.keys.sorted().map { URLQueryItem(name: $0, value: query[$0]) }
        return endpoint + "?" + components.percentEncodedQuery!
    }

    /// The body to send (nil for GET without body).
    public var body: [UInt8]? {
        if let rawBody { return Array(rawBody.utf8) }
        guard method != "GET", let request else { return nil }
        return Array(try! JSONSerialization.data(withJSONObject: request))
    }

    /// Sends the case's request (not a synthetic one: that needs a socket).
    public func send(over transport: some TestTransport) throws -> TestResponse {
        try transport.request(method, target, body: body, contentType: contentType ?? "application/json", headers: [:])
    }

    /// Problems with a response (empty = pass): a JSON answer, judged as check_cases.py judges it.
    public func problems(in response: TestResponse) -> [String] {
        let contentType = response.headers["content-type"] ?? "none"
        guard contentType.hasPrefix("application/json") else { return ["every answer is JSON, got \(contentType)"] }
        return problems(status: response.status, json: response.json)
    }

    /// Problems with a response (empty = pass), as check_cases.py judges it.
    private func problems(status: Int, json: [String: Any]?) -> [String] {
        guard status == expectedStatus else {
            return ["status \(status), expected \(expectedStatus): \(json?["error"] ?? "")"]
        }
        guard let json else { return ["response is not a JSON object"] }
        if expectedStatus != 200 {
            guard let error = json["error"] as? String, !error.isEmpty, json["error_type"] is String else {
                return ["error response lacks 'error'/'error_type' strings: \(json)"]
            }
            return []
        }
        var problems: [String] = []
        for (key, want) in expected.sorted(by: { $0.key < $1.key }) {
            guard let got = json[key] else {
                problems.append("field '\(key)' missing")
                continue
            }
            let tolerance = tolerances[key] ?? [:]
            var comparison = Comparison(rtol: tolerance["rtol"] ?? rtol, atol: tolerance["atol"] ?? atol,
                                        exact: ["shape", "dim", "rotary_dim"].contains(key))
            comparison.compare(want, got, path: key)
            problems += comparison.problems
        }
        return problems
    }
}

/// Recursive comparison with |got - expected| <= atol + rtol * |expected|; null must stay null.
struct Comparison {
    let rtol: Double
    let atol: Double
    let exact: Bool
    var problems: [String] = []

    init(rtol: Double, atol: Double, exact: Bool) {
        self.rtol = rtol
        self.atol = atol
        self.exact = exact
    }

    mutating func compare(_ expected: Any, _ got: Any, path: String) {
        guard problems.count < 3 else { return }
        switch expected {
        case let list as [Any]:
            guard let gotList = got as? [Any], gotList.count == list.count else {
                problems.append("\(path): expected a list of \(list.count), got \(String(describing: got).prefix(60))")
                return
            }
            for (index, pair) in zip(list, gotList).enumerated() { compare(pair.0, pair.1, path: "\(path)[\(index)]") }
        case is NSNull:
            if !(got is NSNull) { problems.append("\(path): expected null, got \(got)") }
        case let object as [String: Any]:
            guard let gotObject = got as? [String: Any] else { problems.append("\(path): expected an object"); return }
            for (key, value) in object {
                guard let gotValue = gotObject[key] else { problems.append("\(path).\(key) missing"); continue }
                compare(value, gotValue, path: "\(path).\(key)")
            }
        case let number as NSNumber:
            guard let gotNumber = got as? NSNumber, !(got is NSNull) else {
                problems.append("\(path): expected \(number), got \(got)")
                return
            }
            let want = number.doubleValue, have = gotNumber.doubleValue
            if exact {
                if want != have { problems.append("\(path): expected exactly \(want), got \(have)") }
            } else if !(abs(have - want) <= atol + rtol * abs(want)) {
                problems.append("\(path): got \(have), expected \(want) (tol \(atol + rtol * abs(want)))")
            }
        default:
            if "\(expected)" != "\(got)" { problems.append("\(path): expected \(expected), got \(got)") }
        }
    }
}
