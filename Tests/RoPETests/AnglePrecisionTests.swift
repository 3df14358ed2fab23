import Foundation
import Testing
import RoPE

/// The angle precision report against numpy (float32 and float16 errors computed with numpy 2.4 and written here)
/// and against a bfloat16 rounding written out below on the bits of a Double.
@Suite("Angle precision")
struct AnglePrecisionTests {
    /// numpy: `inv = 1 / base ** (arange(0, 128, 2) / 128)`, `a32 = float32(p) * inv.astype(float32)`,
    /// `a16 = float16(p) * inv.astype(float16)`, error = max |cos(a.astype(float64)) - cos(p * inv)| (and sin).
    /// Columns: theta, position, float32 cos, float32 sin, float16 cos, float16 sin (nan: float16 overflows).
    static let numpyReference: [(Double, Int, Double, Double, Double, Double)] = [
        (10000, 1, 2.2641757690955444e-08, 1.9258676986488865e-08, 0.00018406384818070443, 0.00015659978159643373),
        (10000, 100, 3.14517245647572e-06, 2.664206060931651e-06, 0.03334754508483359, 0.015127339254025096),
        (10000, 4097, 0.00010438313085714412, 9.758098476320143e-05, 0.4713539452649286, 1.5968460768403965),
        (10000, 30000, 0.00035582701559166985, 0.0008628190515326374, 1.968956289503373, 1.3212451035166788),
        (10000, 65504, 0.0014779158048864316, 0.0016670882767083617, 1.9638676613545156, 1.7817943083855146),
        (10000, 100_000, 0.0051639417900424854, 0.0023003804491150137, .nan, .nan),
        (10000, 1_000_000, 0.016057432208037348, 0.05158826852113592, .nan, .nan),
        // theta 500000: the slowest inverse frequencies (2.46e-6) are float16 subnormals.
        (500_000, 1000, 3.756405375743288e-05, 3.098854665017914e-05, 0.09076011243373594, 0.10923261139565166),
        (500_000, 60000, 0.0007866564658681741, 0.002756407180892706, 1.8366877265562844, 1.9937840605990798),
    ]

    /// Checks an engine error against numpy's (nan: the engine must say nil). 1e-10: numpy's pow and cos may differ
    /// from libm's by an ulp, and an ulp of inv_freq moves the float64 angle at 60000 by ~1e-11.
    static func expectClose(_ actual: Double?, _ expected: Double, _ label: String) {
        if expected.isNaN {
            #expect(actual == nil, "\(label): \(String(describing: actual)), expected no value (overflow)")
        } else {
            #expect(actual.map { abs($0 - expected) <= 1e-10 } == true,
                    "\(label): \(String(describing: actual)), numpy \(expected)")
        }
    }

    @Test("float32 and float16 errors equal numpy's")
    func againstNumpy() {
        for (theta, position, cos32, sin32, cos16, sin16) in Self.numpyReference {
            let report = AnglePrecision(positions: [position],
                                        inverseFrequencies: SpectrumTests.ladder(theta: theta, rotaryDimension: 128))
            let float32 = report.errors[.float32]![0], float16 = report.errors[.float16]![0]
            Self.expectClose(float32.cosine, cos32, "theta \(theta) p \(position) float32 cos")
            Self.expectClose(float32.sine, sin32, "theta \(theta) p \(position) float32 sin")
            Self.expectClose(float16.cosine, cos16, "theta \(theta) p \(position) float16 cos")
            Self.expectClose(float16.sine, sin16, "theta \(theta) p \(position) float16 sin")
        }
    }

    /// bfloat16 by integer rounding of a Double's bits: keep 7 of the 52 fraction bits, ties to even (normal
    /// numbers in bfloat16's range, which every value below is).
    static func bfloat16(_ value: Double) -> Double {
        let dropped: UInt64 = 52 - 7
        let bits = value.bitPattern
        let remainder = bits & ((1 << dropped) - 1), half: UInt64 = 1 << (dropped - 1)
        var kept = bits >> dropped
        if remainder > half || (remainder == half && kept & 1 == 1) { kept += 1 }
        return Double(bitPattern: kept << dropped)
    }

    @Test("bfloat16 errors equal the written-out rounding", arguments: [1, 7, 255, 257, 1000, 4097, 65_537, 1_000_003])
    func bfloat16Errors(position: Int) {
        let frequencies = SpectrumTests.ladder(theta: 500_000, rotaryDimension: 128)
        let report = AnglePrecision(positions: [position], inverseFrequencies: frequencies)
        var largestCosine = 0.0, largestSine = 0.0
        for frequency in frequencies {
            let angle = Self.bfloat16(Self.bfloat16(Double(position)) * Self.bfloat16(frequency))
            let reference = Double(position) * frequency
            largestCosine = max(largestCosine, abs(cos(angle) - cos(reference)))
            largestSine = max(largestSine, abs(sin(angle) - sin(reference)))
        }
        #expect(report.errors[.bfloat16]![0].cosine == largestCosine)
        #expect(report.errors[.bfloat16]![0].sine == largestSine)
    }

    @Test("the roundings agree with Float, Float16 and the bit rounding, ties and subnormals included")
    func roundings() {
        var generator = SeededGenerator(seed: 16)
        var values: [Double] = [0, -0.0, 1, 2049, 2051, 65504, 65519.99, 65520, 1e-8, 5.960464477539063e-08,
                                2.9802322387695312e-08, 2.980232238769532e-08, 1e-300, 1e300, 257, 259, 16_777_217]
        for _ in 0..<2000 {
            values.append(Double(bitPattern: generator.next() >> 2) * (generator.next() % 2 == 0 ? 1 : -1))
            values.append(Double.random(in: -70000...70000, using: &generator))
        }
        for value in values {
            #expect(AngleFormat.float32.rounded(value) == Double(Float(value)), "float32 of \(value)")
            #if !(os(macOS) && arch(x86_64))
            #expect(AngleFormat.float16.rounded(value) == Double(Float16(value)), "float16 of \(value)")
            #endif
            let magnitude = abs(value)
            if magnitude >= 0x1p-126 && magnitude < 0x1.fep127 {
                #expect(AngleFormat.bfloat16.rounded(value) == Self.bfloat16(value), "bfloat16 of \(value)")
            }
        }
    }
}
