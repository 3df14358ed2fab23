import Testing
import RoPE

/// Mathematical properties of RoPE that must hold for any input, independent of the golden cases.
@Suite("RoPE properties")
struct PropertyTests {
    /// Scalings whose table does not depend on the sequence length, so a common shift cannot change it.
    static let shiftInvariantScalings = Fixtures.everyScaling(rotaryDimension: 16)
        .filter { ["default", "linear", "ntk", "llama3", "yarn"].contains($0.name) }

    @Test("attention scores depend only on relative positions",
          arguments: shiftInvariantScalings.map(\.name), RotationLayout.allCases)
    func relativePosition(scalingName: String, layout: RotationLayout) throws {
        var parameters = RoPEParameters()
        parameters.scaling = try #require(Self.shiftInvariantScalings.first { $0.name == scalingName }).scaling
        parameters.layout = layout
        let queries = Fixtures.randomTensor([2, 3, 5, 16], seed: 1)
        let keys = Fixtures.randomTensor([2, 3, 7, 16], seed: 2)
        let queryPositions = [0, 3, 4, 9, 12]
        let keyPositions = [1, 2, 5, 6, 7, 11, 30]
        func scores(shift: Int) throws -> Tensor {
            try Engine().attentionScores(
                queries: queries, keys: keys, queryPositions: .shared(queryPositions.map { $0 + shift }),
                keyPositions: .shared(keyPositions.map { $0 + shift }), parameters: parameters,
                options: AttentionOptions())
        }
        let reference = try scores(shift: 0)
        for shift in [1, 1000, 100_000] {
            let shifted = try scores(shift: shift)
            let (close, index) = Fixtures.allClose(shifted.values, reference.values, tolerance: 1e-4)
            #expect(close, "\(scalingName)/\(layout) shift \(shift): first difference at index \(index ?? -1)")
        }
    }

    @Test("inverse undoes the rotation for every rope_type, layout, xPos role and partial rotary",
          arguments: Fixtures.everyScaling(rotaryDimension: 12).map(\.name), RotationLayout.allCases)
    func inverseRoundTrip(scalingName: String, layout: RotationLayout) throws {
        let rotaryCount = 12
        let input = Fixtures.randomTensor([2, 6, 16], seed: 3)
        let roles: [XPos?] = [nil, XPos(role: .query, scaleBase: 64), XPos(role: .key, scaleBase: 64)]
        for rotary in [RotaryDimension.full, .count(rotaryCount)] {
            let r = try rotary.resolve(headDimension: 16)
            var parameters = RoPEParameters()
            parameters.layout = layout
            parameters.rotaryDimension = rotary
            parameters.scaling = try #require(Fixtures.everyScaling(rotaryDimension: r)
                .first { $0.name == scalingName }).scaling
            for xpos in roles {
                for grid in [PositionGrid.sequential, .perRow((0..<12).map { $0 * 7 - 20 })] {
                    let forward = try Engine().rotate(input, positions: grid, offset: 5, parameters: parameters,
                                                      inverse: false, xpos: xpos)
                    let back = try Engine().rotate(forward.tensor, positions: grid, offset: 5,
                                                   parameters: parameters, inverse: true, xpos: xpos)
                    let (close, index) = Fixtures.allClose(back.tensor.values, input.values, tolerance: 1e-5)
                    let label = "\(scalingName)/\(layout) r=\(r) xpos=\(xpos?.role.rawValue ?? "none") \(grid)"
                    #expect(close, "\(label): first difference at \(index ?? -1)")
                    #expect(forward.tensor != input, "the forward rotation must change the input")
                }
            }
        }
    }

    @Test("rotation preserves every pair's norm without attention factor or xPos",
          arguments: Fixtures.everyScaling(rotaryDimension: 16).map(\.name), RotationLayout.allCases)
    func pairNormsPreserved(scalingName: String, layout: RotationLayout) throws {
        var parameters = RoPEParameters()
        parameters.layout = layout
        parameters.scaling = try #require(Fixtures.everyScaling(rotaryDimension: 16)
            .first { $0.name == scalingName }).scaling
        parameters.applyAttentionScaling = false  // yarn and longrope would otherwise scale the norm
        let input = Fixtures.randomTensor([3, 9, 16], seed: 4)
        let output = try Engine().rotate(input, positions: .shared([0, 1, 2, 50, 999, 100_000, 1_000_000, -3, -77]),
                                         offset: 0, parameters: parameters, inverse: false, xpos: nil)
        #expect(output.attentionScaling == 1)
        let half = 8
        for token in 0..<27 {
            for j in 0..<half {
                let (first, second) = layout == .half ? (j, j + half) : (2 * j, 2 * j + 1)
                func norm(_ values: [Float]) -> Double {
                    let x = Double(values[token * 16 + first]), y = Double(values[token * 16 + second])
                    return (x * x + y * y).squareRoot()
                }
                let before = norm(input.values), after = norm(output.tensor.values)
                #expect(abs(after - before) <= 1e-5 * max(before, 1e-3),
                        "\(scalingName)/\(layout) token \(token) pair \(j): norm \(before) -> \(after)")
            }
        }
    }

    @Test("partial rotary leaves the pass-through features untouched", arguments: RotationLayout.allCases)
    func passThroughUntouched(layout: RotationLayout) throws {
        var parameters = RoPEParameters()
        parameters.layout = layout
        parameters.rotaryDimension = .count(6)
        let input = Fixtures.randomTensor([4, 16], seed: 5)
        let output = try Engine().rotate(input, positions: .sequential, offset: 3, parameters: parameters,
                                         inverse: false, xpos: XPos(role: .query))
        for token in 0..<4 {
            #expect(Array(output.tensor.values[(token * 16 + 6)..<(token * 16 + 16)])
                        == Array(input.values[(token * 16 + 6)..<(token * 16 + 16)]))
        }
    }

    @Test("decay bound at distance 0 is (d/2 + 1)/2", arguments: [2, 8, 64, 128, 256])
    func decayAtZero(dimension: Int) throws {
        let curve = try DecayCurve(dimension: dimension, theta: 10000, maxDistance: 100, points: 11)
        #expect(curve.distance.first == 0 && curve.distance.last == 100)
        #expect(abs(curve.bound[0] - (Double(dimension) / 2 + 1) / 2) <= 1e-12)
        #expect(curve.bound.dropFirst().allSatisfy { $0 <= curve.bound[0] + 1e-12 })
    }

    @Test("parallel rotation is bitwise identical to serial rotation")
    func parallelMatchesSerial() throws {
        let input = Fixtures.randomTensor([3, 4, 37, 32], seed: 6)
        var parameters = RoPEParameters()
        parameters.scaling = .yarn(YaRNScaling(factor: 4, originalMaxPositionEmbeddings: 64))
        let perRow = (0..<(3 * 4 * 37)).map { ($0 * 7919) % 5000 - 100 }
        for layout in RotationLayout.allCases {
            parameters.layout = layout
            for grid in [PositionGrid.sequential, .perRow(perRow)] {
                for xpos in [nil, XPos(role: .key)] {
                    let serial = try Engine(parallelThreshold: .max).rotate(
                        input, positions: grid, offset: 11, parameters: parameters, inverse: false, xpos: xpos)
                    let parallel = try Engine(parallelThreshold: 0).rotate(
                        input, positions: grid, offset: 11, parameters: parameters, inverse: false, xpos: xpos)
                    #expect(serial.tensor.values.map(\.bitPattern) == parallel.tensor.values.map(\.bitPattern),
                            "\(layout) \(xpos?.role.rawValue ?? "no xpos")")
                }
            }
        }
    }

    @Test("the cos/sin table agrees with the rotation of unit vectors")
    func tableMatchesRotation() throws {
        var parameters = RoPEParameters()
        parameters.scaling = .yarn(YaRNScaling(factor: 4, originalMaxPositionEmbeddings: 64))
        let table = try FrequencyTable(parameters: parameters, headDimension: 8, sequenceLength: nil)
        let positions = [0, 5, 1_000_000]
        let cosineSine = try Engine().cosineSineTable(parameters: parameters, headDimension: 8, positions: positions)
        let (cosines, sines) = (cosineSine.cosines, cosineSine.sines)
        // e_j (x = 1, y = 0) rotates to (cos, sin), scaled by the attention factor.
        var values = [Float](repeating: 0, count: 3 * 8)
        for token in 0..<3 { for j in 0..<4 { values[token * 8 + j] = 1 } }
        let rotated = try Engine().rotate(Tensor(shape: [3, 8], values: values), positions: .shared(positions),
                                          offset: 0, parameters: parameters, inverse: false, xpos: nil)
        for token in 0..<3 {
            for j in 0..<4 {
                #expect(rotated.tensor.values[token * 8 + j] == cosines[token * 4 + j])
                #expect(rotated.tensor.values[token * 8 + 4 + j] == sines[token * 4 + j])
            }
        }
        #expect(table.appliedAttentionFactor == table.attentionFactor && table.attentionFactor > 1)
    }

    @Test("causal masking: -inf without softmax, 0 with softmax, -inf for a fully masked row")
    func causalMasking() throws {
        let queries = Fixtures.randomTensor([2, 8], seed: 7)
        let keys = Fixtures.randomTensor([3, 8], seed: 8)
        var options = AttentionOptions()
        options.causal = true
        for softmax in [false, true] {
            options.softmax = softmax
            let scores = try Engine().attentionScores(
                queries: queries, keys: keys, queryPositions: .shared([0, 5]), keyPositions: .shared([1, 2, 5]),
                parameters: RoPEParameters(), options: options)
            #expect(scores.shape == [2, 3])
            #expect(scores.values[0..<3].allSatisfy { $0 == -Float.infinity }, "query 0 sees no key")
            #expect(scores.values[3..<6].allSatisfy { $0.isFinite })
            if softmax {
                #expect(abs(scores.values[3..<6].reduce(0, +) - 1) <= 1e-6)
            }
        }
    }

    @Test("layout names and aliases")
    func layoutNames() {
        #expect(RotationLayout(name: "half") == .half && RotationLayout(name: "neox") == .half)
        #expect(RotationLayout(name: "interleaved") == .interleaved && RotationLayout(name: "gptj") == .interleaved)
        #expect(RotationLayout(name: "rotate_half") == nil)
    }
}
