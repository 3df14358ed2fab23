import Foundation
import Testing
import RoPE

/// `Engine.rotate` with `from` (from_positions): equal to inverse-then-forward up to float32 rounding, more
/// precise than it against float64 truth, and exactly inverse-then-forward where the two sides' frequencies differ.
@Suite("Moving cached keys")
struct MovingKeysTests {
    /// Moves a copy of `tensor`.
    static func moved(_ tensor: Tensor, from: PositionGrid, to: PositionGrid, offset: Int = 0,
                      parameters: RoPEParameters, xpos: XPos? = nil) throws -> (values: [Float], factor: Double) {
        var values = tensor.values
        let factor = try values.withUnsafeMutableBufferPointer { buffer in
            try Engine().rotate(UnsafeBufferPointer(buffer), into: buffer, shape: tensor.shape, positions: to,
                                from: from, offset: offset, parameters: parameters, inverse: false, xpos: xpos)
        }
        return (values, factor)
    }

    /// The inverse rotation at `from`, then the forward rotation at `to`.
    static func inverseThenForward(_ tensor: Tensor, from: PositionGrid, to: PositionGrid, offset: Int = 0,
                                   parameters: RoPEParameters, xpos: XPos? = nil) throws -> [Float] {
        let engine = Engine()
        let back = try engine.rotate(tensor, positions: from, offset: offset, parameters: parameters, inverse: true,
                                     xpos: xpos)
        return try engine.rotate(back.tensor, positions: to, offset: offset, parameters: parameters, inverse: false,
                                 xpos: xpos).tensor.values
    }

    @Test("equals inverse-then-forward to float32 rounding for every rope_type, layout and xPos role",
          arguments: Fixtures.everyScaling(rotaryDimension: 16).map(\.name), RotationLayout.allCases)
    func equalsInverseThenForward(scalingName: String, layout: RotationLayout) throws {
        var parameters = RoPEParameters()
        let scalings = Fixtures.everyScaling(rotaryDimension: 16)
        parameters.scaling = try #require(scalings.first { $0.name == scalingName }).scaling
        parameters.layout = layout
        let tensor = Fixtures.randomTensor([2, 5, 16], seed: 7)
        let grids: [(from: PositionGrid, to: PositionGrid)] = [
            (.sequential, .shared([3, 4, 5, 6, 7])),
            (.shared([10, 2, 7, 0, 1]), .shared([1, 2, 3, 4, 5])),
            (.perRow([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), .perRow([4, 3, 2, 1, 0, 9, 8, 7, 6, 5])),
        ]
        for xpos in [nil, XPos(role: .query, scaleBase: 64), XPos(role: .key, scaleBase: 64)] {
            for (from, to) in grids {
                let (values, factor) = try Self.moved(tensor, from: from, to: to, offset: 2, parameters: parameters,
                                                      xpos: xpos)
                let reference = try Self.inverseThenForward(tensor, from: from, to: to, offset: 2,
                                                            parameters: parameters, xpos: xpos)
                let (close, index) = Fixtures.allClose(values, reference, tolerance: 1e-5)
                let label = "\(scalingName)/\(layout)/\(String(describing: xpos?.role)) \(from) -> \(to)"
                #expect(close, "\(label): index \(index ?? -1)")
                #expect(factor == 1)
            }
        }
    }

    @Test("from 1,000,000 to 1,000,003: closer to float64 truth than inverse-then-forward")
    func precisionAtLargePositions() throws {
        var parameters = RoPEParameters()
        parameters.theta = 500_000
        let d = 128, tokens = 64
        // Keys as a model caches them: rotated at 1,000,000 + i and stored in float32.
        let keys = Fixtures.randomTensor([tokens, d], seed: 11)
        let cached = try Engine().rotate(keys, positions: .shared((0..<tokens).map { 1_000_000 + $0 }), offset: 0,
                                         parameters: parameters, inverse: false, xpos: nil).tensor
        let from = PositionGrid.shared((0..<tokens).map { 1_000_000 + $0 })
        let to = PositionGrid.shared((0..<tokens).map { 1_000_003 + $0 })
        let (moved, _) = try Self.moved(cached, from: from, to: to, parameters: parameters)
        let twice = try Self.inverseThenForward(cached, from: from, to: to, parameters: parameters)

        // Truth: the cached float32 values rotated by 3 positions, all in float64 (half layout, pairs (i, i + 64)).
        var truth = [Double](repeating: 0, count: tokens * d)
        for token in 0..<tokens {
            for j in 0..<(d / 2) {
                let angle = 3 / pow(500_000, Double(2 * j) / Double(d))
                let x = Double(cached.values[token * d + j]), y = Double(cached.values[token * d + j + d / 2])
                truth[token * d + j] = x * cos(angle) - y * sin(angle)
                truth[token * d + j + d / 2] = y * cos(angle) + x * sin(angle)
            }
        }
        func squaredError(_ values: [Float]) -> Double {
            zip(values, truth).reduce(0) { $0 + (Double($1.0) - $1.1) * (Double($1.0) - $1.1) }
        }
        let movedError = squaredError(moved), twiceError = squaredError(twice)
        let largestMoved = zip(moved, truth).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(movedError < twiceError, "squared error: move \(movedError), inverse-then-forward \(twiceError)")
        // One rotation: a few float32 roundings of values below sqrt(2) in magnitude.
        #expect(largestMoved < 4e-7, "largest error of the move \(largestMoved)")
    }

    @Test("longrope across its switch and dynamic beyond mpe: exactly inverse-then-forward")
    func lengthDependentSides() throws {
        let tensor = Fixtures.randomTensor([3, 16], seed: 5)
        var longrope = RoPEParameters()
        longrope.scaling = .longrope(Fixtures.longrope(rotaryDimension: 16))  // switch above 8 tokens
        var dynamic = RoPEParameters()
        dynamic.scaling = .dynamic(DynamicNTKScaling(factor: 2, maxPositionEmbeddings: 8))
        for parameters in [longrope, dynamic] {
            let from = PositionGrid.shared([0, 1, 2]), to = PositionGrid.shared([40, 41, 42])
            let (values, _) = try Self.moved(tensor, from: from, to: to, parameters: parameters)
            #expect(values == (try Self.inverseThenForward(tensor, from: from, to: to, parameters: parameters)))
        }
    }

    @Test("errors name from_positions and leave the values unchanged")
    func errors() throws {
        let tensor = Fixtures.randomTensor([3, 8], seed: 1)
        var values = tensor.values
        do {
            _ = try values.withUnsafeMutableBufferPointer { buffer in
                try Engine().rotate(UnsafeBufferPointer(buffer), into: buffer, shape: [3, 8], positions: .sequential,
                                    from: .shared([0, 1]), offset: 0, parameters: RoPEParameters(), inverse: false,
                                    xpos: nil)
            }
            Issue.record("a from_positions list of the wrong length was accepted")
        } catch let error as RoPEError {
            #expect(error.field == "from_positions")
        }
        do {
            _ = try values.withUnsafeMutableBufferPointer { buffer in
                try Engine().rotate(UnsafeBufferPointer(buffer), into: buffer, shape: [3, 8],
                                    positions: .shared([1, 0, 0]), from: .shared([Int.min, 0, 0]), offset: 0,
                                    parameters: RoPEParameters(), inverse: false, xpos: nil)
            }
            Issue.record("an overflowing difference was accepted")
        } catch let error as RoPEError {
            #expect(error.field == "from_positions")
        }
        #expect(values == tensor.values)
    }
}
