import Foundation
import Testing
import RoPEServer

/// The format an endpoint answers in, from `Accept` (RFC 9110 §12.5.1 with the rules openapi.yaml states).
@Suite("Content negotiation")
struct ContentNegotiationTests {
    static let tensorFormats: [ResponseFormat] = [.json, .npy]
    static let plotFormats: [ResponseFormat] = [.json, .svg]

    static func format(_ accept: String?, _ offered: [ResponseFormat] = tensorFormats) -> ResponseFormat {
        ResponseFormat(negotiating: accept, offered: offered)
    }

    @Test("without weights a named binary format wins and everything else is JSON, as before q-values were read",
          arguments: [
              (nil, ResponseFormat.json),
              ("application/x-npy", .npy),
              ("application/json, application/x-npy", .npy),
              ("application/x-npy, application/json", .npy),
              ("text/html,  Application/X-NPY ;foo=bar, */*", .npy),
              ("application/json", .json),
              ("*/*", .json),
              ("application/*", .json),
              ("text/html", .json),
              ("application/x-npy-extra, application/x-np", .json),
              ("image/svg+xml", .json),
              ("", .json),
          ] as [(String?, ResponseFormat)])
    func withoutWeights(accept: String?, expected: ResponseFormat) {
        #expect(Self.format(accept) == expected)
    }

    @Test("SVG is chosen only where it is offered and only when named", arguments: [
        ("image/svg+xml", ResponseFormat.svg),
        ("image/*", .json),
        ("*/*", .json),
        ("image/svg+xml;q=0", .json),
        ("image/svg+xml;q=0.5, application/json;q=0.4", .svg),
        ("image/svg+xml;q=0.4, application/json;q=0.5", .json),
        ("application/x-npy", .json),
    ])
    func svg(accept: String, expected: ResponseFormat) {
        #expect(Self.format(accept, Self.plotFormats) == expected)
        #expect(Self.format(accept, [.json]) == .json)
    }

    @Test("the highest weight wins; q=0 excludes; a named format wins a tie with JSON", arguments: [
        ("application/x-npy;q=0, application/json", ResponseFormat.json),
        ("application/json;q=0.5, application/x-npy;q=0.9", .npy),
        ("application/x-npy;q=0.5, application/json", .json),
        ("application/x-npy;q=0.5, application/json;q=0.5", .npy),
        ("application/json;q=0, application/x-npy;q=0.001", .npy),
        ("application/x-npy;q=0.3", .npy),
        ("application/x-npy;q=0", .json),
        ("application/x-npy;q=0.000", .json),
        ("application/x-npy;q=0.", .json),
        ("application/x-npy;q=1.000, application/json", .npy),
    ])
    func weights(accept: String, expected: ResponseFormat) {
        #expect(Self.format(accept) == expected)
    }

    @Test("nothing acceptable falls back to JSON, never 406", arguments: [
        "application/json;q=0", "application/json;q=0, application/x-npy;q=0", "text/csv", "image/*;q=1",
    ])
    func fallback(accept: String) {
        #expect(Self.format(accept) == .json)
    }

    @Test("wildcards weigh JSON; the most specific range gives a type its weight", arguments: [
        ("application/x-npy;q=0.5, */*;q=0.5", ResponseFormat.npy),
        ("application/x-npy;q=0.4, */*;q=0.5", .json),
        ("*/*;q=0.1, application/x-npy;q=0.2", .npy),
        ("application/*;q=0.3, application/x-npy;q=0.2", .json),
        ("application/*;q=1, application/json;q=0.2, application/x-npy;q=0.5", .npy),
        ("*/*;q=0.9, application/json;q=0.1, application/x-npy;q=0.5", .npy),
        ("application/json;q=0.1, application/*;q=0.9, application/x-npy;q=0.5", .npy),
        ("*/*, application/json;q=0.5", .json),
        ("application/*;q=0, application/x-npy", .npy),
        ("application/x-npy;q=0.5, text/*;q=1", .npy),
    ])
    func wildcards(accept: String, expected: ResponseFormat) {
        #expect(Self.format(accept) == expected)
    }

    @Test("media types and the q parameter compare without case; other parameters and blanks are ignored", arguments: [
        ("APPLICATION/X-NPY;Q=0.9, Application/Json;q=0.5", ResponseFormat.npy),
        ("application/x-npy;Q=0, application/json", .json),
        ("application/x-npy; version=1; q=0.7 , application/json;q=0.6", .npy),
        ("application/x-npy;charset=binary;q=0.4, application/json;q=0.6", .json),
        ("\tapplication/x-npy\t;\tq=0.8\t,application/json;q=0.7", .npy),
        (" , ,application/x-npy;q=0.3,", .npy),
    ])
    func caseAndParameters(accept: String, expected: ResponseFormat) {
        #expect(Self.format(accept) == expected)
    }

    @Test("a malformed q counts as the default weight 1, as if it were absent", arguments: [
        "application/x-npy;q=abc, application/json;q=0.9",
        "application/x-npy;q=1.5, application/json;q=0.9",
        "application/x-npy;q=2, application/json;q=0.9",
        "application/x-npy;q=-1, application/json;q=0.9",
        "application/x-npy;q=.5, application/json;q=0.9",
        "application/x-npy;q=0.1234, application/json;q=0.9",
        "application/x-npy;q=1.001, application/json;q=0.9",
        "application/x-npy;q=, application/json;q=0.9",
    ])
    func malformedWeight(accept: String) {
        #expect(Self.format(accept) == .npy)
        // The same malformed weight on JSON's range: JSON then weighs 1 and wins over a named 0.9.
        let swapped = accept.replacingOccurrences(of: "application/x-npy", with: "X")
            .replacingOccurrences(of: "application/json", with: "application/x-npy")
            .replacingOccurrences(of: "X", with: "application/json")
        #expect(Self.format(swapped) == .json)
    }

    @Test("a request reads its Accept header by case-insensitive name")
    func requestHeader() {
        let request = HTTPRequest(method: "POST", path: "/rotate",
                                  headers: ["ACCEPT": "application/json;q=0.5, application/x-npy;q=0.9"])
        #expect(request.responseFormat(offered: [.json, .npy]) == .npy)
        #expect(request.responseFormat(offered: [.json]) == .json)
        #expect(HTTPRequest(method: "POST", path: "/rotate").responseFormat(offered: [.json, .npy]) == .json)
    }
}
