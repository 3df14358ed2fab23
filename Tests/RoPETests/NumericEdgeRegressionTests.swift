import Testing
import RoPE

/// Parameters at the edge of Double's range are rejected naming the field, instead of giving infinities that a
/// JSON writer turns into `null` (wavelengths, attention scores indistinguishable from masked ones).
@Suite("Numeric edge regressions")
struct NumericEdgeRegressionTests {
    private func error(_ body: () throws(RoPEError) -> Void) -> RoPEError? {
        do { try body() } catch { return error }
        return nil
    }

    @Test("YaRN with a huge factor: subnormal inverse frequencies would give infinite wavelengths")
    func yarnSubnormalFrequencies() {
        // Unchecked, inv_freq would be [1, 1e-309, 1e-310, 1e-311] and the wavelengths [6.28, inf, inf, inf].
        var parameters = RoPEParameters()
        parameters.scaling = .yarn(YaRNScaling(factor: 1e308, originalMaxPositionEmbeddings: 1))
        let failure = error { () throws(RoPEError) in
            _ = try FrequencyTable(parameters: parameters, headDimension: 8, sequenceLength: nil)
        }
        #expect(failure?.kind == .invalidParameter && failure?.field == "rope_scaling.factor",
                "\(String(describing: failure))")
    }

    @Test("every accepted frequency table has finite wavelengths and finite angles at any position",
          arguments: [1e-300, 1e-200, 1e-3, 2, 1e4, 1e200, 1e300])
    func finiteWavelengthsAndAngles(theta: Double) {
        for dimension in [2, 8, 64, 512] {
            var parameters = RoPEParameters()
            parameters.theta = theta
            guard let table = try? FrequencyTable(parameters: parameters, headDimension: dimension,
                                                  sequenceLength: nil) else {
                continue  // rejected with a RoPEError: fine, that is a 422
            }
            let wavelengths = table.wavelengths
            #expect(wavelengths.allSatisfy { $0.isFinite }, "theta \(theta), d \(dimension): \(wavelengths)")
            for position in [Int.max, Int.min, 1 << 40] {
                let angles = table.angles(atPosition: position)
                #expect(angles.allSatisfy { $0.isFinite }, "theta \(theta), d \(dimension), p \(position)")
            }
        }
    }

    @Test("a tiny rope_theta whose angles would overflow Double is rejected")
    func tinyThetaAngles() {
        // inv_freq reaches 1e-300^(-62/64) ~ 1e290 for d = 64: position x inv_freq overflows at large positions.
        var parameters = RoPEParameters()
        parameters.theta = 1e-300
        let failure = error { () throws(RoPEError) in
            _ = try FrequencyTable(parameters: parameters, headDimension: 64, sequenceLength: nil)
        }
        #expect(failure?.kind == .invalidParameter && failure?.field == "rope_theta", "\(String(describing: failure))")
    }

    private func scores(queries: [Float], keys: [Float], scale: Double, softmax: Bool, causal: Bool = false)
        throws(RoPEError) -> Tensor
    {
        var options = AttentionOptions()
        options.scale = scale
        options.softmax = softmax
        options.causal = causal
        let d = 2
        return try Engine().attentionScores(
            queries: Tensor(shape: [queries.count / d, d], values: queries),
            keys: Tensor(shape: [keys.count / d, d], values: keys),
            queryPositions: .sequential, keyPositions: .sequential, parameters: RoPEParameters(), options: options)
    }

    @Test("an attention score that overflows is an error, never -inf (which means masked)",
          arguments: [(-1.0, false), (-1e308, true), (1e308, true), (-1e300, false)])
    func attentionOverflow(scale: Double, softmax: Bool) {
        // Unchecked, an overflowing score could come out as -inf, which means masked.
        let failure = error { () throws(RoPEError) in
            _ = try scores(queries: [3e38, 0], keys: [3e38, 0], scale: scale, softmax: softmax)
        }
        #expect(failure?.kind == .invalidParameter && failure?.field == "scale", "\(String(describing: failure))")
    }

    @Test("large but representable scores and masked entries are unchanged")
    func attentionWithinRange() throws {
        let raw = try scores(queries: [1e19, 0], keys: [1e19, 0], scale: 1, softmax: false)
        #expect(raw.values == [1e38])
        let masked = try scores(queries: [1, 0, 1, 0], keys: [1, 0, 1, 0], scale: 1, softmax: false, causal: true)
        #expect(masked.values[1] == -.infinity && masked.values[0].isFinite)
        let normalised = try scores(queries: [3e38, 0], keys: [3e38, 0, 1, 0], scale: 1e-300, softmax: true)
        let values = normalised.values
        #expect(values.allSatisfy { $0.isFinite })
    }
}
