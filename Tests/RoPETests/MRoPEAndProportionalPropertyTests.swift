import Testing
import RoPE

/// Properties of the forms today's models add: M-RoPE (Qwen2-VL / Qwen3-VL) and proportional RoPE (Gemma 4).
@Suite("M-RoPE and proportional RoPE properties")
struct MRoPEAndProportionalPropertyTests {
    /// Chunked and interleaved sections of r/2 = 16 slots.
    static let sections = [MRoPESection(counts: [4, 6, 6]), MRoPESection(counts: [6, 5, 5], interleaved: true)]

    /// M-RoPE parameters over r = 32 with `section`, in `layout`.
    static func mrope(_ section: MRoPESection, layout: RotationLayout = .half) -> RoPEParameters {
        var parameters = RoPEParameters()
        parameters.theta = 1_000_000
        parameters.layout = layout
        parameters.mropeSection = section
        return parameters
    }

    @Test("M-RoPE with t = h = w is bitwise plain RoPE", arguments: [0, 1], RotationLayout.allCases)
    func equalAxesArePlainRoPE(sectionIndex: Int, layout: RotationLayout) throws {
        let input = Fixtures.randomTensor([2, 5, 32], seed: 11)
        let positions = [0, 7, 300, 99_999, 1_000_000]
        var plain = Self.mrope(Self.sections[sectionIndex], layout: layout)
        plain.mropeSection = nil
        let mrope = Self.mrope(Self.sections[sectionIndex], layout: layout)
        for xpos in [nil, XPos(role: .query, scaleBase: 100_000)] {
            let reference = try Engine().rotate(input, positions: .shared(positions), offset: 3, parameters: plain,
                                                inverse: false, xpos: xpos)
            let grids: [PositionGrid] = [
                .multiAxis(MRoPEPositions(temporal: positions, height: positions, width: positions, isPerRow: false)),
                .multiAxis(MRoPEPositions(temporal: positions + positions.reversed(),
                                          height: positions + positions.reversed(),
                                          width: positions + positions.reversed(), isPerRow: true)),
                .shared(positions),
            ]
            for grid in grids {
                var perRowReference = reference
                if case .multiAxis(let axes) = grid, axes.isPerRow {
                    perRowReference = try Engine().rotate(input, positions: .perRow(axes.temporal), offset: 3,
                                                          parameters: plain, inverse: false, xpos: xpos)
                }
                let result = try Engine().rotate(input, positions: grid, offset: 3, parameters: mrope,
                                                 inverse: false, xpos: xpos)
                #expect(result.tensor.values.map(\.bitPattern) == perRowReference.tensor.values.map(\.bitPattern),
                        "\(grid) xpos \(xpos == nil ? "off" : "on")")
            }
        }
    }

    @Test("M-RoPE on distinct axes differs from plain RoPE at the temporal positions")
    func distinctAxesMatter() throws {
        let input = Fixtures.randomTensor([1, 3, 32], seed: 12)
        let temporal = [0, 1, 1]
        let grid = PositionGrid.multiAxis(MRoPEPositions(temporal: temporal, height: [0, 1, 2], width: [0, 3, 1],
                                                          isPerRow: false))
        let mrope = try Engine().rotate(input, positions: grid, offset: 0, parameters: Self.mrope(Self.sections[0]),
                                        inverse: false, xpos: nil)
        let plain = try Engine().rotate(input, positions: .shared(temporal), offset: 0,
                                        parameters: Self.mrope(Self.sections[0]), inverse: false, xpos: nil)
        #expect(mrope.tensor.values[0..<32] == plain.tensor.values[0..<32], "token 0 sits at (0, 0, 0)")
        #expect(mrope.tensor.values[32...] != plain.tensor.values[32...], "tokens 1 and 2 have other h and w")
    }

    @Test("proportional RoPE with factor 1 and partial_rotary_factor 1 equals default RoPE",
          arguments: RotationLayout.allCases)
    func proportionalUnitIsDefault(layout: RotationLayout) throws {
        let input = Fixtures.randomTensor([3, 4, 64], seed: 13)
        var reference = RoPEParameters()
        reference.layout = layout
        reference.theta = 1_000_000
        var proportional = reference
        proportional.scaling = .proportional(ProportionalScaling(factor: 1, partialRotaryFactor: 1))
        for grid in [PositionGrid.sequential, .shared([5, 0, 70_000, -3])] {
            let expected = try Engine().rotate(input, positions: grid, offset: 0, parameters: reference,
                                               inverse: false, xpos: nil)
            let got = try Engine().rotate(input, positions: grid, offset: 0, parameters: proportional,
                                          inverse: false, xpos: nil)
            #expect(got.tensor.values.map(\.bitPattern) == expected.tensor.values.map(\.bitPattern))
        }
        let defaultTable = try FrequencyTable(parameters: reference, headDimension: 64, sequenceLength: nil)
        let proportionalTable = try FrequencyTable(parameters: proportional, headDimension: 64, sequenceLength: nil)
        #expect(proportionalTable.inverseFrequencies == defaultTable.inverseFrequencies)
    }

    @Test("proportional RoPE leaves the pairs past partial_rotary_factor as they are")
    func proportionalPassThrough() throws {
        let input = Fixtures.randomTensor([1, 3, 64], seed: 14)
        var parameters = RoPEParameters()
        parameters.scaling = .proportional(ProportionalScaling(factor: 8, partialRotaryFactor: 0.25))
        let result = try Engine().rotate(input, positions: .shared([3, 90, 1_000_000]), offset: 0,
                                         parameters: parameters, inverse: false, xpos: nil)
        for token in 0..<3 {
            for feature in 0..<64 {
                let index = token * 64 + feature
                let still = (8..<32).contains(feature) || (40..<64).contains(feature)  // half layout: j >= 8
                if still { #expect(result.tensor.values[index] == input.values[index], "feature \(feature)") }
            }
        }
        #expect(result.tensor.values[64] != input.values[64], "pair 0 of token 1 rotates")
        parameters.rotaryDimension = .count(32)
        #expect(throws: RoPEError.self) {
            try Engine().rotate(input, positions: .sequential, offset: 0, parameters: parameters, inverse: false,
                                xpos: nil)
        }
    }

    @Test("inverse undoes M-RoPE (shared and per-row axes, xPos, partial rotary) and proportional RoPE",
          arguments: RotationLayout.allCases)
    func inverseRoundTrip(layout: RotationLayout) throws {
        let input = Fixtures.randomTensor([2, 4, 40], seed: 15)
        var cases: [(String, RoPEParameters, PositionGrid)] = []
        for section in Self.sections {
            var parameters = Self.mrope(section, layout: layout)
            parameters.rotaryDimension = .count(32)
            cases.append(("mrope shared", parameters,
                          .multiAxis(MRoPEPositions(temporal: [0, 1, 1, 4], height: [0, 1, 2, 4], width: [0, 2, 1, 4],
                                                    isPerRow: false))))
            cases.append(("mrope per row", parameters,
                          .multiAxis(MRoPEPositions(temporal: Array(0..<8), height: (0..<8).map { $0 * 3 },
                                                    width: (0..<8).map { 50 - $0 }, isPerRow: true))))
        }
        var proportional = RoPEParameters()
        proportional.layout = layout
        proportional.scaling = .proportional(ProportionalScaling(factor: 4, partialRotaryFactor: 0.5))
        cases.append(("proportional", proportional, .shared([0, 9, 1000, 123_456])))
        for (name, parameters, grid) in cases {
            for xpos in [nil, XPos(role: .key, scaleBase: 4096)] {
                let forward = try Engine().rotate(input, positions: grid, offset: 7, parameters: parameters,
                                                  inverse: false, xpos: xpos)
                let back = try Engine().rotate(forward.tensor, positions: grid, offset: 7, parameters: parameters,
                                               inverse: true, xpos: xpos)
                let (close, index) = Fixtures.allClose(back.tensor.values, input.values, tolerance: 1e-5)
                #expect(close,
                        "\(name) \(layout) xpos \(xpos == nil ? "off" : "on"): first difference at \(index ?? -1)")
                #expect(forward.tensor != input)
            }
        }
    }

    @Test("M-RoPE attention scores depend only on the relative position along each axis",
          arguments: [0, 1], MRoPESection.Axis.allCases)
    func relativePositionPerAxis(sectionIndex: Int, axis: MRoPESection.Axis) throws {
        let parameters = Self.mrope(Self.sections[sectionIndex])
        let queries = Fixtures.randomTensor([2, 3, 32], seed: 16)
        let keys = Fixtures.randomTensor([2, 4, 32], seed: 17)
        let queryAxes = [[5, 6, 6], [5, 6, 7], [5, 7, 6]]
        let keyAxes = [[0, 1, 2, 2], [0, 1, 2, 3], [0, 1, 3, 2]]
        func scores(shift: Int) throws -> Tensor {
            func grid(_ axes: [[Int]]) -> PositionGrid {
                var shifted = axes
                shifted[axis.rawValue] = shifted[axis.rawValue].map { $0 + shift }
                return .multiAxis(MRoPEPositions(temporal: shifted[0], height: shifted[1], width: shifted[2],
                                                 isPerRow: false))
            }
            return try Engine().attentionScores(queries: queries, keys: keys, queryPositions: grid(queryAxes),
                                               keyPositions: grid(keyAxes), parameters: parameters,
                                               options: AttentionOptions())
        }
        let reference = try scores(shift: 0)
        for shift in [1, 1000, 100_000] {
            let (close, index) = Fixtures.allClose(try scores(shift: shift).values, reference.values, tolerance: 1e-4)
            #expect(close, "axis \(axis.name) shift \(shift): first difference at \(index ?? -1)")
        }
        // Shifting one axis of the queries alone changes the scores: every axis takes part.
        let moved = try Engine().attentionScores(
            queries: queries, keys: keys,
            queryPositions: .multiAxis(MRoPEPositions(
                temporal: queryAxes[0].map { $0 + (axis == .temporal ? 3 : 0) },
                height: queryAxes[1].map { $0 + (axis == .height ? 3 : 0) },
                width: queryAxes[2].map { $0 + (axis == .width ? 3 : 0) }, isPerRow: false)),
            keyPositions: .multiAxis(MRoPEPositions(temporal: keyAxes[0], height: keyAxes[1], width: keyAxes[2],
                                                    isPerRow: false)),
            parameters: parameters, options: AttentionOptions())
        #expect(!Fixtures.allClose(moved.values, reference.values, tolerance: 1e-4).0)
    }

    @Test("the section must sum to r/2, and 3-axis positions need a section")
    func sectionValidation() throws {
        let input = Fixtures.randomTensor([1, 2, 32], seed: 18)
        var parameters = RoPEParameters()
        parameters.mropeSection = MRoPESection(counts: [4, 6, 5])
        #expect(throws: RoPEError.self) {
            try Engine().rotate(input, positions: .sequential, offset: 0, parameters: parameters, inverse: false,
                                xpos: nil)
        }
        parameters.mropeSection = nil
        let grid = PositionGrid.multiAxis(MRoPEPositions(temporal: [0, 1], height: [0, 1], width: [0, 1],
                                                          isPerRow: false))
        do {
            _ = try Engine().rotate(input, positions: grid, offset: 0, parameters: parameters, inverse: false,
                                    xpos: nil)
            Issue.record("3-axis positions without a section were accepted")
        } catch {
            #expect(error.field == "mrope_positions")
        }
        let interleaved = try MRoPESection(counts: [2, 1, 1], interleaved: true).axes(pairCount: 4).map(\.name)
        #expect(interleaved == ["t", "h", "w", "t"])
        let chunked = try MRoPESection(counts: [1, 2, 1]).axes(pairCount: 4).map(\.name)
        #expect(chunked == ["t", "h", "h", "w"])
    }
}
