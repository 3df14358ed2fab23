import Testing
import RoPE

/// Invalid input is rejected with a typed error naming the client-visible field.
@Suite("Validation")
struct ValidationTests {
    /// Runs `body` and returns the RoPEError it threw (nil if it did not throw).
    private func error(_ body: () throws(RoPEError) -> Void) -> RoPEError? {
        do { try body() } catch { return error }
        return nil
    }

    private func rotate(_ tensor: Tensor, positions: PositionGrid = .sequential, offset: Int = 0,
                        parameters: RoPEParameters = RoPEParameters()) throws(RoPEError) {
        _ = try Engine().rotate(tensor, positions: positions, offset: offset, parameters: parameters,
                                inverse: false, xpos: nil)
    }

    private let tensor = Fixtures.randomTensor([2, 3, 8], seed: 9)

    @Test("an attention factor beyond float32 is refused, since cos and sin would be infinite")
    func attentionFactorOverflow() {
        var yarn = YaRNScaling(factor: 2, originalMaxPositionEmbeddings: 10)
        yarn.attentionFactor = 1e300
        var parameters = RoPEParameters()
        parameters.scaling = .yarn(yarn)
        let failure = error { () throws(RoPEError) in try rotate(tensor, parameters: parameters) }
        #expect(failure?.kind == .invalidParameter && failure?.field == "rope_scaling.attention_factor")
        parameters.applyAttentionScaling = false
        #expect(error { () throws(RoPEError) in try rotate(tensor, parameters: parameters) } == nil)
    }

    @Test("a decay curve whose angles overflow is refused; a small base with finite angles is not")
    func decayOverflow() {
        let failure = error { () throws(RoPEError) in
            _ = try DecayCurve(dimension: 64, theta: Double.leastNonzeroMagnitude, maxDistance: 500, points: 11)
        }
        #expect(failure?.field == "rope_theta")
        #expect(error { () throws(RoPEError) in
            _ = try DecayCurve(dimension: 8, theta: 1e-300, maxDistance: 1000, points: 3)
        } == nil)
    }

    @Test("odd rotary_dim")
    func oddRotaryDim() {
        var parameters = RoPEParameters()
        parameters.rotaryDimension = .count(5)
        let failure = error { () throws(RoPEError) in try rotate(tensor, parameters: parameters) }
        #expect(failure?.kind == .invalidParameter && failure?.field == "rotary_dim")
    }

    @Test("rotary_dim larger than the head dimension")
    func rotaryDimTooLarge() {
        var parameters = RoPEParameters()
        parameters.rotaryDimension = .count(10)
        let failure = error { () throws(RoPEError) in try rotate(tensor, parameters: parameters) }
        #expect(failure?.kind == .invalidParameter && failure?.field == "rotary_dim")
        #expect(failure?.message.contains("rotary_dim (10)") == true)
    }

    @Test("partial_rotary_factor outside (0, 1]", arguments: [1.5, 0, -0.5, Double.nan])
    func fractionOutOfRange(fraction: Double) {
        let failure = error { () throws(RoPEError) in
            _ = try RotaryDimension.fraction(fraction).resolve(headDimension: 8)
        }
        #expect(failure?.kind == .invalidParameter && failure?.field == "partial_rotary_factor")
    }

    @Test("odd or empty head dimension")
    func oddHeadDimension() {
        let failure = error { () throws(RoPEError) in
            try rotate(Tensor(shape: [2, 7], values: Array(repeating: 0, count: 14)))
        }
        #expect(failure?.kind == .invalidParameter && failure?.field == "embeddings")
        let direct = error { () throws(RoPEError) in _ = try RotaryDimension.full.resolve(headDimension: 7) }
        #expect(direct?.field == "dim")
        let scalar = error { () throws(RoPEError) in try rotate(Tensor(shape: [], values: [1])) }
        #expect(scalar?.field == "embeddings")
    }

    @Test("values count disagrees with the shape")
    func valuesCountMismatch() {
        let failure = error { () throws(RoPEError) in try rotate(Tensor(shape: [2, 8], values: [1, 2])) }
        #expect(failure?.kind == .shapeMismatch && failure?.field == "embeddings")
    }

    @Test("positions length mismatch, shared and per row")
    func positionsLengthMismatch() {
        let shared = error { () throws(RoPEError) in try rotate(tensor, positions: .shared([0, 1])) }
        #expect(shared?.kind == .shapeMismatch && shared?.field == "positions")
        let perRow = error { () throws(RoPEError) in try rotate(tensor, positions: .perRow([0, 1, 2])) }
        #expect(perRow?.kind == .shapeMismatch && perRow?.field == "positions")
    }

    @Test("longrope factor lists must have r/2 entries")
    func longropeFactorLength() {
        var parameters = RoPEParameters()
        var scaling = Fixtures.longrope(rotaryDimension: 8)
        scaling.shortFactor.removeLast()
        parameters.scaling = .longrope(scaling)
        let short = error { () throws(RoPEError) in try rotate(tensor, parameters: parameters) }
        #expect(short?.field == "rope_scaling.short_factor")
        scaling = Fixtures.longrope(rotaryDimension: 8)
        scaling.longFactor.append(1)
        parameters.scaling = .longrope(scaling)
        let long = error { () throws(RoPEError) in try rotate(tensor, parameters: parameters) }
        #expect(long?.field == "rope_scaling.long_factor")
    }

    @Test("offset + position overflow")
    func offsetOverflow() {
        let failure = error { () throws(RoPEError) in
            try rotate(tensor, positions: .shared([0, 1, 2]), offset: Int.max)
        }
        #expect(failure?.kind == .limitExceeded && failure?.field == "offset")
        let negative = error { () throws(RoPEError) in
            try rotate(tensor, positions: .shared([-1, 0, 1]), offset: Int.min)
        }
        #expect(negative?.kind == .limitExceeded && negative?.field == "offset")
    }

    @Test("shape whose element count overflows Int")
    func shapeOverflow() {
        let failure = error { () throws(RoPEError) in try rotate(Tensor(shape: [Int.max, 4, 8], values: [])) }
        #expect(failure?.kind == .limitExceeded && failure?.field == "embeddings")
    }

    @Test("NTK scaling whose enlarged base makes the frequencies unusable is refused, naming rope_scaling.factor")
    func ntkUnusableFrequencies() {
        var parameters = RoPEParameters()
        // b' = 10000 x (1e-300)^(128/126) ~ 1e-301: the highest frequency b'^(-126/128) ~ 1e296 overflows angles.
        parameters.scaling = .ntk(factor: 1e-300)
        let wide = Fixtures.randomTensor([1, 2, 128], seed: 3)
        #expect(error { () throws(RoPEError) in try rotate(wide, parameters: parameters) }?.field
            == "rope_scaling.factor")
        parameters.scaling = .ntk(factor: 1e-290)   // ~1e286: still usable
        #expect(error { () throws(RoPEError) in try rotate(wide, parameters: parameters) } == nil)
    }

    @Test("scaling parameters out of range")
    func scalingParameters() {
        var parameters = RoPEParameters()
        parameters.scaling = .linear(factor: 0)
        #expect(error { () throws(RoPEError) in
            try rotate(tensor, parameters: parameters)
        }?.field == "rope_scaling.factor")
        parameters.scaling = .ntk(factor: 2)
        parameters.rotaryDimension = .count(2)
        #expect(error { () throws(RoPEError) in try rotate(tensor, parameters: parameters) }?.field == "rotary_dim")
        parameters = RoPEParameters()
        parameters.theta = -1
        #expect(error { () throws(RoPEError) in try rotate(tensor, parameters: parameters) }?.field == "rope_theta")
        parameters = RoPEParameters()
        parameters.scaling = .dynamic(DynamicNTKScaling(factor: 2, maxPositionEmbeddings: 0))
        #expect(error { () throws(RoPEError) in
            try rotate(tensor, parameters: parameters)
        }?.field == "max_position_embeddings")
        let xpos = error { () throws(RoPEError) in
            _ = try Engine().rotate(tensor, positions: .sequential, offset: 0, parameters: RoPEParameters(),
                                    inverse: false, xpos: XPos(role: .query, scaleBase: 0))
        }
        #expect(xpos?.field == "xpos.scale_base")
    }

    @Test("attention queries and keys must agree on leading axes and d")
    func attentionShapes() {
        func attention(_ keys: Tensor) -> RoPEError? {
            error { () throws(RoPEError) in
                _ = try Engine().attentionScores(
                    queries: Fixtures.randomTensor([2, 3, 8], seed: 1), keys: keys, queryPositions: .sequential,
                    keyPositions: .sequential, parameters: RoPEParameters(), options: AttentionOptions())
            }
        }
        let wrongDimension = attention(Fixtures.randomTensor([2, 3, 6], seed: 2))
        #expect(wrongDimension?.kind == .shapeMismatch && wrongDimension?.field == "keys")
        let wrongLeading = attention(Fixtures.randomTensor([3, 4, 8], seed: 2))
        #expect(wrongLeading?.kind == .shapeMismatch && wrongLeading?.field == "keys")
        #expect(attention(Fixtures.randomTensor([2, 5, 8], seed: 2)) == nil)
    }

    @Test("decay curve parameters")
    func decayParameters() {
        #expect(error { () throws(RoPEError) in
            _ = try DecayCurve(dimension: 7, theta: 10000, maxDistance: 10, points: 5)
        }?.field == "dim")
        #expect(error { () throws(RoPEError) in
            _ = try DecayCurve(dimension: 8, theta: 10000, maxDistance: 10, points: 0)
        }?.field == "points")
        #expect(error { () throws(RoPEError) in
            _ = try DecayCurve(dimension: 8, theta: 10000, maxDistance: 10, points: Int.max)
        }?.kind == .limitExceeded)
    }

    @Test("xPos powers that would leave the float32 range")
    func xposRange() {
        let failure = error { () throws(RoPEError) in
            _ = try Engine().rotate(tensor, positions: .shared([0, 1, 1_000_000]), offset: 0,
                                    parameters: RoPEParameters(), inverse: false, xpos: XPos(role: .query))
        }
        #expect(failure?.kind == .invalidParameter && failure?.field == "xpos.scale_base")
        let fine = error { () throws(RoPEError) in
            _ = try Engine().rotate(tensor, positions: .shared([0, 1, 20_000]), offset: 0,
                                    parameters: RoPEParameters(), inverse: false, xpos: XPos(role: .query))
        }
        #expect(fine == nil)
    }

    @Test("attention score tensors beyond the built-in limit")
    func attentionScoreLimit() {
        // Small inputs (d = 2) whose score matrix would have 2^14 * 2^15 = 2^29 entries.
        let failure = error { () throws(RoPEError) in
            _ = try Engine().attentionScores(
                queries: Tensor(shape: [1 << 14, 2], values: Array(repeating: 0, count: 1 << 15)),
                keys: Tensor(shape: [1 << 15, 2], values: Array(repeating: 0, count: 1 << 16)),
                queryPositions: .sequential, keyPositions: .sequential, parameters: RoPEParameters(),
                options: AttentionOptions())
        }
        #expect(failure?.kind == .limitExceeded && failure?.field == "keys")
    }
}
