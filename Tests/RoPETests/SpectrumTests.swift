import Foundation
import Testing
import RoPE

/// The spectrum against ratios and regimes computed here from each scaling's formula in float64 (never by the
/// engine): Llama 3.1, DeepSeek-V3's YaRN, Phi-3.5's LongRoPE, linear, NTK and dynamic NTK.
@Suite("Spectrum")
struct SpectrumTests {
    /// The unscaled ladder b^(-2j/r).
    static func ladder(theta: Double, rotaryDimension r: Int) -> [Double] {
        (0..<(r / 2)).map { j in 1 / pow(theta, Double(2 * j) / Double(r)) }
    }

    /// The regime of a ratio, as the contract defines it (relative tolerance 1e-9).
    static func regime(ratio: Double, factor: Double) -> FrequencyRegime {
        if abs(ratio - 1) <= 1e-9 { return .unchanged }
        if abs(ratio - factor) <= 1e-9 * factor { return .interpolated }
        return .blended
    }

    /// Checks ratios (relative 1e-12), regimes, base frequencies, wavelengths and rotations against `expected`.
    static func check(_ spectrum: Spectrum, theta: Double, expectedRatios: [Double], factor: Double,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let r = spectrum.rotaryDimension
        let base = ladder(theta: theta, rotaryDimension: r)
        #expect(spectrum.ratios.count == expectedRatios.count, sourceLocation: sourceLocation)
        for j in 0..<min(spectrum.ratios.count, expectedRatios.count) {
            #expect(abs(spectrum.ratios[j] - expectedRatios[j]) <= 1e-12 * expectedRatios[j],
                    "slot \(j): ratio \(spectrum.ratios[j]), expected \(expectedRatios[j])",
                    sourceLocation: sourceLocation)
            #expect(spectrum.regimes[j] == regime(ratio: expectedRatios[j], factor: factor),
                    "slot \(j): \(spectrum.regimes[j])", sourceLocation: sourceLocation)
            #expect(abs(spectrum.baseInverseFrequencies[j] - base[j]) <= 1e-15 * base[j],
                    sourceLocation: sourceLocation)
            let wavelength = 2 * Double.pi * expectedRatios[j] / base[j]
            #expect(abs(spectrum.wavelengths[j]! - wavelength) <= 1e-12 * wavelength, sourceLocation: sourceLocation)
            let rotations = Double(spectrum.context) / wavelength
            #expect(abs(spectrum.rotationsContext[j] - rotations) <= 1e-12 * rotations, sourceLocation: sourceLocation)
            if let original = spectrum.originalContext {
                let expected = Double(original) / wavelength
                #expect(abs(spectrum.rotationsOriginal![j] - expected) <= 1e-12 * expected,
                        sourceLocation: sourceLocation)
            }
        }
    }

    @Test("Llama 3.1 (llama3, factor 8, low 1, high 4, original 8192, theta 500000, d 128): 29 kept, 6 blended, 29 / 8")
    func llama31() throws {
        var llama3 = Llama3Scaling(factor: 8)
        llama3.lowFreqFactor = 1
        llama3.highFreqFactor = 4
        llama3.originalMaxPositionEmbeddings = 8192
        var parameters = RoPEParameters()
        parameters.theta = 500_000
        parameters.scaling = .llama3(llama3)
        let spectrum = try Spectrum(parameters: parameters, headDimension: 128, context: nil,
                                    maxPositionEmbeddings: 131_072)
        // Meta's formula: wavelengths below 8192/4 kept, above 8192/1 divided by 8, smooth blend in between.
        let expected = Self.ladder(theta: 500_000, rotaryDimension: 128).map { inv -> Double in
            let wavelength = 2 * Double.pi / inv
            if wavelength < 8192.0 / 4 { return 1 }
            if wavelength > 8192.0 / 1 { return 8 }
            let smooth = (8192 / wavelength - 1) / (4 - 1)
            return inv / ((1 - smooth) * inv / 8 + smooth * inv)
        }
        Self.check(spectrum, theta: 500_000, expectedRatios: expected, factor: 8)
        #expect(spectrum.regimeCounts == [.unchanged: 29, .blended: 6, .interpolated: 29, .zero: 0])
        #expect(spectrum.context == 131_072)
        #expect(spectrum.originalContext == 8192)
        let base = Self.ladder(theta: 500_000, rotaryDimension: 128)
        let firstBeyond = expected.indices.first { 2 * Double.pi * expected[$0] / base[$0] > 8192 }
        #expect(spectrum.firstSlotBeyondOriginal == firstBeyond)
        #expect(spectrum.attentionScaling == 1)
        #expect(spectrum.longFactorSwitchLength == nil)
    }

    @Test("DeepSeek-V3's YaRN (factor 40, original 4096, beta 32/1, mscale 1/1, theta 10000, d 64)")
    func deepSeekV3YaRN() throws {
        var yarn = YaRNScaling(factor: 40, originalMaxPositionEmbeddings: 4096)
        yarn.betaFast = 32
        yarn.betaSlow = 1
        yarn.mscale = 1
        yarn.mscaleAllDim = 1
        var parameters = RoPEParameters()
        parameters.scaling = .yarn(yarn)
        let spectrum = try Spectrum(parameters: parameters, headDimension: 64, context: nil,
                                    maxPositionEmbeddings: 163_840)
        // find_correction_dim(n) = d ln(4096 / (2 pi n)) / (2 ln 10000), range floored/ceiled, linear ramp.
        func correction(_ rotations: Double) -> Double {
            64 * log(4096 / (rotations * 2 * Double.pi)) / (2 * log(10000.0))
        }
        let low = max(correction(32).rounded(.down), 0), high = min(correction(1).rounded(.up), 63)
        let expected = (0..<32).map { j -> Double in
            let ramp = min(max((Double(j) - low) / (high - low), 0), 1)
            return 1 / (ramp / 40 + (1 - ramp))  // inv / (inv/40 * ramp + inv * (1 - ramp))
        }
        Self.check(spectrum, theta: 10000, expectedRatios: expected, factor: 40)
        #expect(low == 10 && high == 23)
        #expect(spectrum.regimeCounts == [.unchanged: 11, .blended: 12, .interpolated: 9, .zero: 0])
        // mscale == mscale_all_dim: (0.1 ln 40 + 1) / (0.1 ln 40 + 1) = 1.
        #expect(spectrum.attentionScaling == 1)
    }

    /// Phi-3.5-mini-instruct's `rope_scaling` (config.json: type longrope, d = 3072 / 32 = 96).
    static let phi35LongFactor: [Double] = [
        1.0800000429153442, 1.1100000143051147, 1.1399999856948853, 1.340000033378601, 1.5899999141693115,
        1.600000023841858, 1.6200000047683716, 2.620000123977661, 3.2300000190734863, 3.2300000190734863,
        4.789999961853027, 7.400000095367432, 7.700000286102295, 9.09000015258789, 12.199999809265137,
        17.670000076293945, 24.46000099182129, 28.57000160217285, 30.420001983642578, 30.840002059936523,
        32.590003967285156, 32.93000411987305, 42.320003509521484, 44.96000289916992, 50.340003967285156,
        50.45000457763672, 57.55000305175781, 57.93000411987305, 58.21000289916992, 60.1400032043457,
        62.61000442504883, 62.62000274658203, 62.71000289916992, 63.1400032043457, 63.1400032043457,
        63.77000427246094, 63.93000411987305, 63.96000289916992, 63.970001220703125, 64.02999877929688,
        64.06999969482422, 64.08000183105469, 64.12000274658203, 64.41000366210938, 64.4800033569336,
        64.51000213623047, 64.52999877929688, 64.83999633789062,
    ]
    static let phi35ShortFactor: [Double] = [
        1.0, 1.0199999809265137, 1.0299999713897705, 1.0299999713897705, 1.0499999523162842, 1.0499999523162842,
        1.0499999523162842, 1.0499999523162842, 1.0499999523162842, 1.0699999332427979, 1.0999999046325684,
        1.1099998950958252, 1.1599998474121094, 1.1599998474121094, 1.1699998378753662, 1.2899998426437378,
        1.339999794960022, 1.679999828338623, 1.7899998426437378, 1.8199998140335083, 1.8499997854232788,
        1.8799997568130493, 1.9099997282028198, 1.9399996995925903, 1.9899996519088745, 2.0199997425079346,
        2.0199997425079346, 2.0199997425079346, 2.0199997425079346, 2.0199997425079346, 2.0199997425079346,
        2.0299997329711914, 2.0299997329711914, 2.0299997329711914, 2.0299997329711914, 2.0299997329711914,
        2.0299997329711914, 2.0299997329711914, 2.0299997329711914, 2.0299997329711914, 2.0799996852874756,
        2.0899996757507324, 2.189999580383301, 2.2199995517730713, 2.5899994373321533, 2.729999542236328,
        2.749999523162842, 2.8399994373321533,
    ]

    static var phi35: RoPEParameters {
        var parameters = RoPEParameters()
        parameters.scaling = .longrope(LongRoPEScaling(shortFactor: phi35ShortFactor, longFactor: phi35LongFactor,
                                                       originalMaxPositionEmbeddings: 4096, factor: 131_072.0 / 4096))
        return parameters
    }

    @Test("Phi-3.5's LongRoPE: long factors beyond 4096 tokens, short factors within, switch at 4097")
    func phi35LongRoPE() throws {
        let long = try Spectrum(parameters: Self.phi35, headDimension: 96, context: nil, maxPositionEmbeddings: 131_072)
        Self.check(long, theta: 10000, expectedRatios: Self.phi35LongFactor, factor: 32)
        #expect(long.regimeCounts == [.unchanged: 0, .blended: 48, .interpolated: 0, .zero: 0])
        #expect(long.longFactorSwitchLength == 4097)
        // sqrt(1 + ln(32) / ln(4096)) = sqrt(1 + 5/12).
        #expect(abs(long.attentionScaling - (17.0 / 12).squareRoot()) <= 1e-15)

        let atOriginal = try Spectrum(parameters: Self.phi35, headDimension: 96, context: 4096,
                                      maxPositionEmbeddings: 131_072)
        Self.check(atOriginal, theta: 10000, expectedRatios: Self.phi35ShortFactor, factor: 32)
        #expect(atOriginal.regimes.first == .unchanged)  // short_factor[0] is exactly 1
        let justBeyond = try Spectrum(parameters: Self.phi35, headDimension: 96, context: 4097,
                                      maxPositionEmbeddings: 131_072)
        #expect(justBeyond.ratios == long.ratios)
    }

    @Test("linear: every slot divided by the factor")
    func linear() throws {
        var parameters = RoPEParameters()
        parameters.scaling = .linear(factor: 4)
        let spectrum = try Spectrum(parameters: parameters, headDimension: 64, context: 16384,
                                    maxPositionEmbeddings: 4096)
        Self.check(spectrum, theta: 10000, expectedRatios: Array(repeating: 4, count: 32), factor: 4)
        #expect(spectrum.regimeCounts[.interpolated] == 32)
        #expect(spectrum.originalContext == 4096)
    }

    @Test("static NTK: the base b * f^(r/(r-2)) gives ratio f^(2j/(r-2)): slot 0 kept, the last one interpolated")
    func staticNTK() throws {
        var parameters = RoPEParameters()
        parameters.scaling = .ntk(factor: 4)
        let spectrum = try Spectrum(parameters: parameters, headDimension: 64, context: nil,
                                    maxPositionEmbeddings: 4096)
        let expected = (0..<32).map { j in pow(4.0, Double(2 * j) / 62) }
        Self.check(spectrum, theta: 10000, expectedRatios: expected, factor: 4)
        #expect(spectrum.regimeCounts == [.unchanged: 1, .blended: 30, .interpolated: 1, .zero: 0])
    }

    @Test("dynamic NTK: unchanged up to max_position_embeddings, NTK growth factor * L / mpe - (factor - 1) beyond")
    func dynamicNTK() throws {
        var parameters = RoPEParameters()
        parameters.scaling = .dynamic(DynamicNTKScaling(factor: 2, maxPositionEmbeddings: 2048))
        let within = try Spectrum(parameters: parameters, headDimension: 64, context: 1024, maxPositionEmbeddings: nil)
        Self.check(within, theta: 10000, expectedRatios: Array(repeating: 1, count: 32), factor: 1)
        #expect(within.originalContext == 2048)

        let beyond = try Spectrum(parameters: parameters, headDimension: 64, context: 8192, maxPositionEmbeddings: nil)
        let growth = 2.0 * 8192 / 2048 - 1  // 7
        let expected = (0..<32).map { j in pow(growth, Double(2 * j) / 62) }
        Self.check(beyond, theta: 10000, expectedRatios: expected, factor: growth)
        #expect(beyond.interpolationFactor == 7)
        #expect(beyond.regimes.last == .interpolated)
    }

    @Test("a context is needed: default RoPE with neither context nor max_position_embeddings names 'context'")
    func missingContext() {
        #expect(throws: RoPEError.self) {
            _ = try Spectrum(parameters: RoPEParameters(), headDimension: 8, context: nil, maxPositionEmbeddings: nil)
        }
        do {
            _ = try Spectrum(parameters: RoPEParameters(), headDimension: 8, context: nil, maxPositionEmbeddings: nil)
        } catch {
            #expect(error.field == "context")
        }
        let spectrum = try? Spectrum(parameters: RoPEParameters(), headDimension: 8, context: 100,
                                     maxPositionEmbeddings: nil)
        #expect(spectrum?.originalContext == nil && spectrum?.rotationsOriginal == nil)
        #expect(spectrum?.regimeCounts[.unchanged] == 4)
    }
}

/// The spectrum of the model types of transformers 5: proportional RoPE's zero slots and M-RoPE's axes.
@Suite("Spectrum: proportional and M-RoPE")
struct SpectrumModelTypeTests {
    @Test("proportional (Gemma 4): the first p d/2 slots divided by factor, the rest zero with no wavelength")
    func proportional() throws {
        for factor in [1.0, 8.0] {
            var parameters = RoPEParameters()
            parameters.theta = 1_000_000
            parameters.scaling = .proportional(ProportionalScaling(factor: factor, partialRotaryFactor: 0.25))
            let spectrum = try Spectrum(parameters: parameters, headDimension: 16, context: 1000,
                                        maxPositionEmbeddings: nil)
            // int(0.25 * 16 // 2) = 2 rotating slots of 8.
            let base = SpectrumTests.ladder(theta: 1_000_000, rotaryDimension: 16)
            #expect(spectrum.baseInverseFrequencies.count == 8)
            for j in 0..<8 {
                if j < 2 {
                    #expect(abs(spectrum.inverseFrequencies[j] - base[j] / factor) <= 1e-15 * base[j])
                    #expect(spectrum.regimes[j] == (factor == 1 ? .unchanged : .interpolated))
                    #expect(spectrum.wavelengths[j] != nil)
                } else {
                    #expect(spectrum.inverseFrequencies[j] == 0)
                    #expect(spectrum.regimes[j] == .zero)
                    #expect(spectrum.wavelengths[j] == nil && spectrum.rotationsContext[j] == 0
                                && spectrum.ratios[j] == 0)
                }
            }
            #expect(spectrum.regimeCounts[.zero] == 6)
            #expect(spectrum.firstSlotBeyondOriginal == nil)
        }
    }

    @Test("M-RoPE: every slot's axis, chunked (Qwen2-VL [16, 24, 24]) and interleaved (Qwen3-VL [24, 20, 20])")
    func mropeAxes() throws {
        var chunked = RoPEParameters()
        chunked.mropeSection = MRoPESection(counts: [16, 24, 24])
        let qwen2 = try Spectrum(parameters: chunked, headDimension: 128, context: 32768, maxPositionEmbeddings: nil)
        #expect(qwen2.mropeAxes == (0..<64).map { j in j < 16 ? .temporal : j < 40 ? .height : .width })
        #expect(qwen2.regimeCounts[.unchanged] == 64)

        var interleaved = RoPEParameters()
        interleaved.theta = 5_000_000
        interleaved.mropeSection = MRoPESection(counts: [24, 20, 20], interleaved: true)
        let qwen3 = try Spectrum(parameters: interleaved, headDimension: 128, context: 262_144,
                                 maxPositionEmbeddings: nil)
        // apply_interleaved_mrope: h at j % 3 == 1 below 3 * 20, w at j % 3 == 2 below 3 * 20, t elsewhere.
        let expected: [MRoPESection.Axis] = (0..<64).map { j in
            if j % 3 == 1 && j < 60 { return .height }
            if j % 3 == 2 && j < 60 { return .width }
            return .temporal
        }
        #expect(qwen3.mropeAxes == expected)
        let plain = try Spectrum(parameters: RoPEParameters(), headDimension: 128, context: 10,
                                 maxPositionEmbeddings: nil)
        #expect(plain.mropeAxes == nil)
    }
}
