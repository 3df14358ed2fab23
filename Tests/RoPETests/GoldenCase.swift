import Foundation
import RoPE

/// One golden reference case from `Tests/Golden/*.json`, mapped onto engine calls (test-only translation).
///
/// The HTTP layer owns the real JSON contract; this helper only knows enough of it to feed the engine the
/// same inputs the reference used, and to compare every expected number with the case's tolerances.
struct GoldenCase {
    /// The endpoints whose numbers the engine alone determines.
    static let engineEndpoints: Set<String> = ["/rotate", "/attention", "/frequencies", "/decay"]

    /// `<repo>/Tests/Golden`, located from this file so it works in any checkout.
    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden")
    }

    /// File names of the cases with numeric expectations (no `expected_status`) on engine endpoints, sorted.
    static let numericCaseFileNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().filter { name in
            guard let object = try? load(name).object else { return false }
            return object["expected_status"] == nil
                && engineEndpoints.contains(object["endpoint"] as? String ?? "")
        }
    }()

    /// The parsed JSON document.
    let object: [String: Any]
    /// The file name, for messages.
    let fileName: String
    /// Applied to the parameters before the engine runs; lets a test prove that a wrong engine fails the case.
    var adjustParameters: (inout RoPEParameters) -> Void = { _ in }

    /// Reads and parses `fileName` from the golden folder.
    static func load(_ fileName: String) throws -> GoldenCase {
        let data = try Data(contentsOf: folder.appendingPathComponent(fileName))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GoldenError.malformed("\(fileName) is not a JSON object")
        }
        return GoldenCase(object: object, fileName: fileName)
    }

    var endpoint: String { object["endpoint"] as? String ?? "" }
    var expected: [String: Any] { object["expected"] as? [String: Any] ?? [:] }

    /// The request fields: the JSON body, or for GET the query dictionary (string values).
    var fields: [String: Any] {
        let request = object["request"] as? [String: Any] ?? [:]
        if (object["method"] as? String) == "GET" { return request["query"] as? [String: Any] ?? [:] }
        return request
    }

    /// (rtol, atol) for `field`: `tolerances[field]` when given, else the case's own.
    func tolerance(for field: String) -> (rtol: Double, atol: Double) {
        let defaults = (JSONValue.double(object["rtol"]) ?? 0, JSONValue.double(object["atol"]) ?? 0)
        guard let specific = (object["tolerances"] as? [String: Any])?[field] as? [String: Any] else { return defaults }
        return (JSONValue.double(specific["rtol"]) ?? defaults.0, JSONValue.double(specific["atol"]) ?? defaults.1)
    }

    /// Runs the case through the engine and returns one message per mismatching field (empty: pass).
    func evaluate() throws -> [String] {
        switch endpoint {
        case "/rotate": return try evaluateRotate()
        case "/attention": return try evaluateAttention()
        case "/frequencies": return try evaluateFrequencies()
        case "/decay": return try evaluateDecay()
        default: throw GoldenError.malformed("unsupported endpoint \(endpoint)")
        }
    }

    // MARK: - Endpoints

    private func adjusted(_ parameters: RoPEParameters) -> RoPEParameters {
        var copy = parameters
        adjustParameters(&copy)
        return copy
    }

    private func evaluateRotate() throws -> [String] {
        let input = try JSONValue.tensor(fields["embeddings"])
        guard var parameters = try GoldenParameters.layerParameters(from: fields) else {
            // A layer without RoPE returns the tensor as it came.
            var failures: [String] = []
            compareExact("shape", input.shape, into: &failures)
            compareNumbers("embeddings", input.values.map(Double.init), into: &failures)
            compareFlag("rope_applied", false, into: &failures)
            return failures
        }
        adjustParameters(&parameters)
        var xpos: XPos?
        if let xposFields = fields["xpos"] as? [String: Any] {
            guard let role = XPos.Role(rawValue: xposFields["role"] as? String ?? "") else {
                throw GoldenError.malformed("xpos.role")
            }
            xpos = XPos(role: role, scaleBase: JSONValue.double(xposFields["scale_base"]) ?? XPos.defaultScaleBase)
        }
        let result = try Engine().rotate(
            input, positions: try JSONValue.positionGrid(fields["positions"], multiAxis: fields["mrope_positions"]),
            offset: JSONValue.int(fields["offset"]) ?? 0, parameters: parameters,
            inverse: JSONValue.bool(fields["inverse"]) ?? false, xpos: xpos)
        var failures: [String] = []
        compareExact("shape", result.tensor.shape, into: &failures)
        compareNumbers("embeddings", result.tensor.values.map(Double.init), into: &failures)
        compareFlag("rope_applied", true, into: &failures)
        if parameters.applyAttentionScaling {
            compareNumbers("attention_scaling", [result.attentionScaling], into: &failures)
        }
        return failures
    }

    private func evaluateAttention() throws -> [String] {
        var options = AttentionOptions()
        options.scale = JSONValue.double(fields["scale"])
        options.causal = JSONValue.bool(fields["causal"]) ?? false
        options.softmax = JSONValue.bool(fields["softmax"]) ?? false
        let parameters = try GoldenParameters.layerParameters(from: fields).map(adjusted)
        let scores = try Engine().attentionScores(
            queries: try JSONValue.tensor(fields["queries"]), keys: try JSONValue.tensor(fields["keys"]),
            queryPositions: try JSONValue.positionGrid(fields["query_positions"],
                                                       multiAxis: fields["query_mrope_positions"]),
            keyPositions: try JSONValue.positionGrid(fields["key_positions"], multiAxis: fields["key_mrope_positions"]),
            parameters: parameters, options: options)
        var failures: [String] = []
        compareFlag("rope_applied", parameters != nil, into: &failures)
        compareExact("shape", scores.shape, into: &failures)
        compareNumbers("scores", scores.values.map(Double.init), into: &failures)
        return failures
    }

    private func evaluateFrequencies() throws -> [String] {
        guard let dim = JSONValue.int(fields["dim"]) else { throw GoldenError.malformed("dim") }
        let sequenceLength = JSONValue.int(fields["seq_len"])
        let parameters = adjusted(try GoldenParameters.parameters(from: fields))
        let table = try FrequencyTable(parameters: parameters, headDimension: dim, sequenceLength: sequenceLength)
        var failures: [String] = []
        compareExact("dim", [dim], into: &failures)
        compareExact("rotary_dim", [table.rotaryDimension], into: &failures)
        compareNumbers("inv_freq", table.inverseFrequencies, into: &failures)
        compareNumbers("wavelengths", table.wavelengths, into: &failures)
        if parameters.applyAttentionScaling {
            compareNumbers("attention_scaling", [table.attentionFactor], into: &failures)
        }
        if let sequenceLength {
            let cosineSine = try Engine().cosineSineTable(parameters: parameters, headDimension: dim,
                                                          positions: Array(0..<sequenceLength))
            compareNumbers("cos", cosineSine.cosines.map(Double.init), into: &failures)
            compareNumbers("sin", cosineSine.sines.map(Double.init), into: &failures)
        }
        if let position = JSONValue.int(fields["position"]) {
            compareNumbers("angles", table.angles(atPosition: position), into: &failures)
        }
        if let axes = expected["mrope_axis"] as? [String], axes != table.mropeAxes?.map(\.name) {
            failures.append("mrope_axis: expected \(axes), got \(table.mropeAxes?.map(\.name) ?? [])")
        }
        return failures
    }

    private func evaluateDecay() throws -> [String] {
        guard let dim = JSONValue.int(fields["dim"]) else { throw GoldenError.malformed("dim") }
        let curve = try DecayCurve(dimension: dim,
                                   theta: JSONValue.double(fields["rope_theta"]) ?? RoPEParameters.defaultTheta,
                                   maxDistance: JSONValue.double(fields["max_distance"]) ?? 1000,
                                   points: JSONValue.int(fields["points"]) ?? 200)
        var failures: [String] = []
        compareNumbers("distance", curve.distance, into: &failures)
        compareNumbers("bound", curve.bound, into: &failures)
        return failures
    }

    // MARK: - Comparison

    /// Compares integers exactly (shape, dim, rotary_dim), when the case lists the field.
    private func compareExact(_ field: String, _ got: [Int], into failures: inout [String]) {
        guard let value = expected[field] else { return }
        let want = JSONValue.flattenNumbers(value).map { $0.map { Int($0) } }
        if want != got.map(Optional.some) {
            failures.append("\(field): expected \(want.map { $0.map(String.init) ?? "null" }), got \(got)")
        }
    }

    /// Compares a boolean (`rope_applied`), when the case lists the field.
    private func compareFlag(_ field: String, _ got: Bool, into failures: inout [String]) {
        guard let value = expected[field] else { return }
        if JSONValue.bool(value) != got { failures.append("\(field): expected \(value), got \(got)") }
    }

    /// Compares every number with |got - exp| <= atol + rtol |exp|; null must be a masked -inf entry (or the
    /// infinite wavelength of a zero frequency).
    private func compareNumbers(_ field: String, _ got: [Double], into failures: inout [String]) {
        guard let value = expected[field] else { return }
        let want = JSONValue.flattenNumbers(value)
        guard want.count == got.count else {
            failures.append("\(field): expected \(want.count) numbers, got \(got.count)")
            return
        }
        let (rtol, atol) = tolerance(for: field)
        var badCount = 0
        var firstBad: String?
        for (index, (expectedValue, gotValue)) in zip(want, got).enumerated() {
            let ok: Bool
            if let expectedValue {
                ok = gotValue.isFinite && abs(gotValue - expectedValue) <= atol + rtol * abs(expectedValue)
            } else {
                ok = gotValue == -Double.infinity || (field == "wavelengths" && gotValue == .infinity)
            }
            if !ok {
                badCount += 1
                if firstBad == nil {
                    let expectedText = expectedValue.map { "\($0)" } ?? "null (masked)"
                    firstBad = "first bad index \(index): got \(gotValue), expected \(expectedText)"
                }
            }
        }
        if let firstBad {
            failures.append("\(field): \(badCount) of \(got.count) out of tolerance (rtol \(rtol), atol \(atol)); "
                                + firstBad)
        }
    }
}

/// A golden file that does not have the structure this helper expects.
enum GoldenError: Error, CustomStringConvertible {
    case malformed(String)
    var description: String {
        switch self { case .malformed(let what): "malformed golden case: \(what)" }
    }
}
