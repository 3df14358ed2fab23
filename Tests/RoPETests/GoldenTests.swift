import Testing
import RoPE

/// The engine against the independent float64 NumPy reference cases in `Tests/Golden`.
@Suite("Golden cases")
struct GoldenTests {
    @Test("every numeric engine case is found")
    func casesArePresent() {
        #expect(GoldenCase.numericCaseFileNames.count >= 82,
                "expected at least 82 numeric golden cases in \(GoldenCase.folder.path)")
    }

    @Test("golden case matches the reference", arguments: GoldenCase.numericCaseFileNames)
    func goldenCase(_ fileName: String) throws {
        let goldenCase = try GoldenCase.load(fileName)
        let failures: [String]
        do {
            failures = try goldenCase.evaluate()
        } catch let error as RoPEError {
            Issue.record("\(fileName): engine threw \(error.kind) for \(error.field): \(error.message)")
            return
        }
        #expect(failures.isEmpty, "\(fileName): \(failures.joined(separator: "; "))")
    }
}

/// The golden comparison itself must be able to fail: a deliberately wrong engine setting is caught.
@Suite("Golden comparison catches mistakes")
struct GoldenSensitivityTests {
    @Test("a wrong layout, base or attention factor fails the case",
          arguments: ["001_rotate_default_half.json", "009_rotate_yarn_half.json", "058_attention_causal.json",
                      "068_frequencies_seq_len_rotary_dim.json"])
    func mistakesAreDetected(fileName: String) throws {
        var goldenCase = try GoldenCase.load(fileName)
        goldenCase.adjustParameters = { $0.layout = $0.layout == .half ? .interleaved : .half }
        let layoutFailures = try goldenCase.evaluate()
        goldenCase.adjustParameters = { $0.theta *= 1.01 }
        let thetaFailures = try goldenCase.evaluate()
        if fileName.hasPrefix("068") {  // frequencies do not depend on the layout
            #expect(layoutFailures.isEmpty)
        } else {
            #expect(!layoutFailures.isEmpty, "swapping the layout went unnoticed")
        }
        #expect(!thetaFailures.isEmpty, "a 1% change of rope_theta went unnoticed")
        if fileName.hasPrefix("009") {
            goldenCase.adjustParameters = { $0.applyAttentionScaling = false }
            #expect(!(try goldenCase.evaluate()).isEmpty, "dropping the yarn attention factor went unnoticed")
        }
    }
}
