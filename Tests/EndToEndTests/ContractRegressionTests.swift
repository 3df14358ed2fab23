import Foundation
import Testing
import RoPEServerTestSupport

/// Requests that schemathesis (scripts/check-contract) found answered against openapi.yaml: a 200 whose numbers
/// came back as `null` where the document promises numbers. Each must now be a JSON 422 naming the cause, and the
/// neighbouring valid requests must still be answered with finite numbers. Each test runs through the router in
/// process and over a socket.
@Suite("Contract regressions")
struct ContractRegressionTests {
    /// The numbers of every array under `key` (nested arrays flattened); nil marks a JSON null.
    private func numbers(_ json: [String: Any]?, _ key: String) -> [Double?] {
        func flatten(_ value: Any) -> [Double?] {
            if let array = value as? [Any] { return array.flatMap(flatten) }
            return [(value as? NSNumber)?.doubleValue]
        }
        return json?[key].map(flatten) ?? []
    }

    private func expectValidationError(_ response: TestResponse, naming field: String) {
        #expect(response.status == 422, "\(response.status) \(response.bodyText)")
        #expect(response.json?["error_type"] as? String == "validation_error")
        #expect((response.json?["error"] as? String)?.contains(field) == true, "\(response.bodyText)")
    }

    @Test("GET /decay with a rope_theta so small that r x theta_k overflows is a 422, not null bounds",
          arguments: Transport.allCases)
    func decayOverflowingAngles(transport: Transport) throws {
        let api = try transport.start()
        defer { api.stop() }
        // Found by schemathesis: 200 with "bound":[16.5,null,null,...].
        expectValidationError(try api.request("GET", "/decay?dim=64&rope_theta=5e-324&max_distance=500&points=101"),
                              naming: "rope_theta")
        expectValidationError(try api.request("GET", "/decay?dim=4&rope_theta=1e-308&max_distance=1e300&points=2"),
                              naming: "max_distance")
        // Small bases whose angles stay finite are still answered.
        let small = try api.request("GET", "/decay?dim=8&rope_theta=1e-300&points=3")
        #expect(small.status == 200)
        let bounds = numbers(small.json, "bound")
        #expect(bounds.count == 3 && bounds.allSatisfy { $0?.isFinite == true }, "\(small.bodyText)")
    }

    @Test("GET /frequencies never answers null: wavelength, angles and cos/sin overflow are 422",
          arguments: Transport.allCases)
    func frequenciesOverflow(transport: Transport) throws {
        let api = try transport.start()
        defer { api.stop() }
        // inv_freq 1e-311: 2 pi / inv_freq overflowed to "wavelengths":[null,...].
        expectValidationError(try api.request("GET", "/frequencies?dim=8&rope_type=linear&factor=1e308"),
                              naming: "wavelength")
        // angles = position x inv_freq beyond the double range: "angles":[..., null].
        expectValidationError(
            try api.request("GET", "/frequencies?dim=64&rope_theta=1e-308&position=1099511627776"), naming: "angle")
        // cos/sin x attention factor 1e300 beyond float32: "cos":[[null,null],...].
        expectValidationError(
            try api.request("GET",
                            "/frequencies?dim=4&seq_len=2&rope_type=yarn&factor=2&original_max_position_embeddings=10"
                                + "&attention_factor=1e300"),
            naming: "attention factor")
        // The same in a POST body.
        expectValidationError(
            try api.request("POST", "/frequencies",
                            json: ["dim": 8, "rope_scaling": ["rope_type": "linear", "factor": 1e308]]),
            naming: "wavelength")
    }

    @Test("the neighbours of the overflow cases are still answered with finite numbers", arguments: Transport.allCases)
    func frequenciesStillAnswered(transport: Transport) throws {
        let api = try transport.start()
        defer { api.stop() }
        for target in ["/frequencies?dim=8&rope_theta=1e-300&seq_len=2&position=3",
                       "/frequencies?dim=4&seq_len=2&rope_type=yarn&factor=2&original_max_position_embeddings=10"
                           + "&attention_factor=1e300&apply_attention_scaling=false",
                       "/frequencies?dim=8&rope_theta=1e308",
                       "/frequencies?dim=8&seq_len=2&position=3"] {
            let response = try api.request("GET", target)
            #expect(response.status == 200, "\(target): \(response.bodyText)")
            for key in ["inv_freq", "wavelengths", "cos", "sin", "angles"] {
                #expect(numbers(response.json, key).allSatisfy { $0?.isFinite == true },
                        "\(target) \(key): \(response.bodyText)")
            }
        }
    }
}
