import Dispatch
import Testing
import RoPE

/// The fast paths of the engine give exactly the numbers of the plain ones: SIMD kernel vs scalar reference,
/// cached cos/sin table vs a freshly built one, parallel vs one thread, in place vs into a new buffer.
@Suite("Engine fast paths")
struct FastPathTests {
    /// The engine's cos/sin table through `cache` (default parameters unless given).
    static func table(_ cache: CosineSineCache, parameters: RoPEParameters = RoPEParameters(), headDimension: Int,
                      positions: [Int], inverse: Bool = false, xpos: XPos? = nil) throws(RoPEError) -> CosineSineTable {
        try Engine(cosineSineTables: cache).cosineSineTable(parameters: parameters, headDimension: headDimension,
                                                            positions: positions, inverse: inverse, xpos: xpos)
    }

    /// Random coefficients in [-1.5, 1.5) (amplitudes above 1 exercise the attention factor's range).
    static func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1.5..<1.5, using: &generator) }
    }

    @Test("SIMD kernel is bitwise equal to the scalar reference, with tails and pass-through features",
          arguments: RotationLayout.allCases, [2, 6, 8, 14, 16, 18, 30, 64, 128, 130])
    func simdEqualsScalar(layout: RotationLayout, rotaryDimension r: Int) {
        for extra in [0, 2, 6] {
            let d = r + extra
            let tokens = 7, tableRows = 3
            let input = Self.randomFloats(tokens * d, seed: UInt64(r * 31 + extra))
            let cosines = Self.randomFloats(tableRows * r / 2, seed: 11)
            let sines = Self.randomFloats(tableRows * r / 2, seed: 12)
            var outputs: [[Float]] = []
            for implementation in RotationKernel.Implementation.allCases {
                var output = [Float](repeating: .nan, count: input.count)
                input.withUnsafeBufferPointer { source in
                    output.withUnsafeMutableBufferPointer { destination in
                        // Two calls over split ranges: a chunk starting mid-table must pick the right row.
                        for range in [0..<4, 4..<tokens] {
                            RotationKernel.rotate(tokens: range, source: source.baseAddress!,
                                                  destination: destination.baseAddress!, featureCount: d,
                                                  rotaryDimension: r, layout: layout, cosines: cosines,
                                                  sines: sines, tableRows: tableRows, implementation: implementation)
                        }
                    }
                }
                outputs.append(output)
            }
            for (implementation, output) in zip(RotationKernel.Implementation.allCases, outputs).dropFirst() {
                #expect(outputs[0].map(\.bitPattern) == output.map(\.bitPattern),
                        "r \(r), d \(d), \(layout), \(implementation)")
            }
            // Pass-through features are copied unchanged.
            for token in 0..<tokens {
                let passThrough = (token * d + r)..<(token * d + d)
                #expect(Array(outputs[1][passThrough]) == Array(input[passThrough]))
            }
        }
    }

    @Test("streaming stores into an aligned buffer, and the unaligned fallback, equal the scalar reference",
          arguments: RotationLayout.allCases, [0, 4])
    func nonTemporalEqualsScalar(layout: RotationLayout, misalignment: Int) {
        let d = 128, r = 128, tokens = 9, tableRows = 4
        let input = Self.randomFloats(tokens * d, seed: 21)
        let cosines = Self.randomFloats(tableRows * r / 2, seed: 22)
        let sines = Self.randomFloats(tableRows * r / 2, seed: 23)
        func rotated(_ implementation: RotationKernel.Implementation) -> [UInt32] {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: tokens * d * 4 + 64, alignment: 64)
            defer { raw.deallocate() }
            let destination = (raw + misalignment).bindMemory(to: Float.self, capacity: tokens * d)
            destination.initialize(repeating: .nan, count: tokens * d)
            input.withUnsafeBufferPointer { source in
                RotationKernel.rotate(tokens: 0..<tokens, source: source.baseAddress!, destination: destination,
                                      featureCount: d, rotaryDimension: r, layout: layout, cosines: cosines,
                                      sines: sines, tableRows: tableRows, implementation: implementation)
            }
            return (0..<(tokens * d)).map { destination[$0].bitPattern }
        }
        #expect(rotated(.simdNonTemporal) == rotated(.scalar))
    }

    @Test("SIMD kernel in place equals SIMD into another buffer", arguments: RotationLayout.allCases)
    func inPlaceEqualsOutOfPlace(layout: RotationLayout) {
        let d = 40, r = 36, tokens = 5
        let input = Self.randomFloats(tokens * d, seed: 3)
        let cosines = Self.randomFloats(tokens * r / 2, seed: 4)
        let sines = Self.randomFloats(tokens * r / 2, seed: 5)
        var separate = [Float](repeating: 0, count: input.count)
        var inPlace = input
        input.withUnsafeBufferPointer { source in
            separate.withUnsafeMutableBufferPointer { destination in
                RotationKernel.rotate(tokens: 0..<tokens, source: source.baseAddress!,
                                      destination: destination.baseAddress!, featureCount: d, rotaryDimension: r,
                                      layout: layout, cosines: cosines,
                                      sines: sines, tableRows: tokens)
            }
        }
        inPlace.withUnsafeMutableBufferPointer { buffer in
            RotationKernel.rotate(tokens: 0..<tokens, source: buffer.baseAddress!, destination: buffer.baseAddress!,
                                  featureCount: d, rotaryDimension: r, layout: layout, cosines: cosines,
                                  sines: sines, tableRows: tokens)
        }
        #expect(separate.map(\.bitPattern) == inPlace.map(\.bitPattern))
    }

    @Test("a cached cos/sin table equals a freshly built one, for every scaling, both directions and xPos",
          arguments: Fixtures.everyScaling(rotaryDimension: 16).map(\.name))
    func cacheHitEqualsMiss(scalingName: String) throws {
        var parameters = RoPEParameters()
        let fixture = Fixtures.everyScaling(rotaryDimension: 16).first { $0.name == scalingName }
        parameters.scaling = try #require(fixture).scaling
        let cache = CosineSineCache(maximumEntries: 8, maximumBytes: 1 << 20)
        for (positions, inverse, xpos) in [([0, 1, 2, 3], false, nil as XPos?), ([5, 9, -2, 40], true, nil),
                                           (Array(7..<19), false, XPos(role: .key, scaleBase: 64))] {
            let miss = try Self.table(cache, parameters: parameters, headDimension: 16, positions: positions,
                                      inverse: inverse, xpos: xpos)
            let hit = try Self.table(cache, parameters: parameters, headDimension: 16, positions: positions,
                                     inverse: inverse, xpos: xpos)
            let uncached = try Self.table(.keepingNothing, parameters: parameters, headDimension: 16,
                                          positions: positions, inverse: inverse, xpos: xpos)
            #expect(hit === miss)
            #expect(hit.cosines.map(\.bitPattern) == uncached.cosines.map(\.bitPattern))
            #expect(hit.sines.map(\.bitPattern) == uncached.sines.map(\.bitPattern))
        }
        #expect(cache.statistics.hits == 3)
        #expect(cache.statistics.misses == 3)
    }

    @Test("different parameters, positions or directions never share a cache entry")
    func cacheKeysSeparate() throws {
        let cache = CosineSineCache(maximumEntries: 16, maximumBytes: 1 << 20)
        var other = RoPEParameters()
        other.theta = 500_000
        let base = try Self.table(cache, headDimension: 8, positions: [0, 1])
        let variants = [
            try Self.table(cache, parameters: other, headDimension: 8, positions: [0, 1]),
            try Self.table(cache, headDimension: 8, positions: [1, 2]),
            try Self.table(cache, headDimension: 8, positions: [0, 1], inverse: true),
            try Self.table(cache, headDimension: 12, positions: [0, 1]),
        ]
        for variant in variants { #expect(variant !== base) }
        #expect(cache.statistics.misses == 5)
        #expect(cache.statistics.hits == 0)
    }

    @Test("the cache is bounded and evicts the least recently used table")
    func cacheEvictsLeastRecentlyUsed() throws {
        let cache = CosineSineCache(maximumEntries: 2, maximumBytes: 1 << 20)
        func table(_ start: Int) throws -> CosineSineTable {
            try Self.table(cache, headDimension: 8, positions: [start, start + 1])
        }
        let first = try table(0)
        _ = try table(10)
        #expect(try table(0) === first)  // 0 is now the most recently used
        _ = try table(20)                // evicts 10
        #expect(cache.statistics.entries == 2)
        #expect(try table(0) === first)
        let missesBefore = cache.statistics.misses
        _ = try table(10)
        #expect(cache.statistics.misses == missesBefore + 1)
        // A byte budget: tables above a quarter of it are returned but not kept.
        let small = CosineSineCache(maximumEntries: 100, maximumBytes: 64)
        _ = try Self.table(small, headDimension: 64, positions: [0, 1, 2])
        #expect(small.statistics.entries == 0)
        // Within the byte budget: 64-byte tables (2 rows of 4 cosines and 4 sines) in a 256-byte cache, so the
        // fifth evicts the least recently used although the entry bound is far.
        let budgeted = CosineSineCache(maximumEntries: 100, maximumBytes: 256)
        func budgetedTable(_ start: Int) throws -> CosineSineTable {
            try Self.table(budgeted, headDimension: 8, positions: [start, start + 1])
        }
        let oldest = try budgetedTable(0)
        #expect((oldest.cosines.count + oldest.sines.count) * MemoryLayout<Float>.stride == 64)
        for start in 1...4 { _ = try budgetedTable(start) }
        #expect(budgeted.statistics.entries == 4 && budgeted.statistics.bytes == 256)
        #expect(try budgetedTable(0) !== oldest)  // evicted, rebuilt
    }

    @Test("concurrent readers of one cache all get the same table")
    func cacheIsThreadSafe() throws {
        let cache = CosineSineCache(maximumEntries: 4, maximumBytes: 1 << 20)
        let reference = try Self.table(.keepingNothing, headDimension: 32, positions: Array(0..<64))
        DispatchQueue.concurrentPerform(iterations: 64) { iteration in
            // Six distinct keys through a 4-entry cache: hits, misses and evictions race.
            let start = iteration % 6
            let table = try! Self.table(cache, headDimension: 32, positions: Array(start..<(start + 64)))
            if iteration % 6 == 0 {
                precondition(table.cosines == reference.cosines && table.sines == reference.sines)
            }
        }
        #expect(cache.statistics.hits + cache.statistics.misses == 64)
        #expect(cache.statistics.entries <= 4)
    }

    @Test("rotation is bitwise the same on one thread, on all cores, into a buffer and in place, cached or not",
          arguments: RotationLayout.allCases)
    func rotationPathsAgree(layout: RotationLayout) throws {
        var parameters = RoPEParameters()
        parameters.layout = layout
        parameters.rotaryDimension = .count(48)
        let tensor = Fixtures.randomTensor([3, 5, 37, 64], seed: 9)
        let single = try Engine(parallelThreshold: .max).rotate(tensor, positions: .sequential, offset: 3,
                                                                parameters: parameters, inverse: false, xpos: nil)
        let everyCore = Engine(parallelThreshold: 0)
        let parallel = try everyCore.rotate(tensor, positions: .sequential, offset: 3, parameters: parameters,
                                            inverse: false, xpos: nil)
        #expect(single.tensor.values.map(\.bitPattern) == parallel.tensor.values.map(\.bitPattern))
        var separate = [Float](repeating: .nan, count: tensor.values.count)
        let separateFactor = try tensor.values.withUnsafeBufferPointer { source in
            try separate.withUnsafeMutableBufferPointer { buffer in
                try everyCore.rotate(source, into: buffer, shape: tensor.shape, positions: .sequential, offset: 3,
                                     parameters: parameters, inverse: false, xpos: nil)
            }
        }
        #expect(separateFactor == single.attentionScaling)
        #expect(separate.map(\.bitPattern) == single.tensor.values.map(\.bitPattern))
        var rawBuffer = tensor.values
        let rawFactor = try rawBuffer.withUnsafeMutableBufferPointer { buffer in
            try everyCore.rotate(UnsafeBufferPointer(buffer), into: buffer, shape: tensor.shape,
                                 positions: .sequential, offset: 3, parameters: parameters, inverse: false, xpos: nil)
        }
        #expect(rawFactor == single.attentionScaling)
        #expect(rawBuffer.map(\.bitPattern) == single.tensor.values.map(\.bitPattern))
        // The scalar reference kernel with an uncached table gives the same bits.
        let table = try Self.table(.keepingNothing, parameters: parameters, headDimension: 64,
                                                 positions: Array(3..<40))
        var reference = [Float](repeating: 0, count: tensor.values.count)
        tensor.values.withUnsafeBufferPointer { source in
            reference.withUnsafeMutableBufferPointer { destination in
                RotationKernel.rotate(tokens: 0..<(15 * 37), source: source.baseAddress!,
                                      destination: destination.baseAddress!, featureCount: 64, rotaryDimension: 48,
                                      layout: layout, cosines: table.cosines, sines: table.sines, tableRows: 37,
                                      implementation: .scalar)
            }
        }
        #expect(reference.map(\.bitPattern) == single.tensor.values.map(\.bitPattern))
        // Per-token positions (no shared table) agree with shared positions that say the same thing.
        let perRowPositions = (0..<15).flatMap { row in (0..<37).map { $0 + row % 2 } }
        let perRow = try Engine().rotate(tensor, positions: .perRow(perRowPositions), offset: 3, parameters: parameters,
                                         inverse: false, xpos: nil)
        let firstRow = 0..<(37 * 64)
        #expect(perRow.tensor.values[firstRow].map(\.bitPattern) == single.tensor.values[firstRow].map(\.bitPattern))
    }

    @Test("a buffer whose count does not match its shape is refused before anything is written")
    func rawBufferShapeMismatch() throws {
        var values = [Float](repeating: 1, count: 10)
        #expect(throws: RoPEError.self) {
            try values.withUnsafeMutableBufferPointer { buffer in
                try Engine().rotate(UnsafeBufferPointer(buffer), into: buffer, shape: [3, 4], positions: .sequential,
                                    offset: 0, parameters: RoPEParameters(), inverse: false, xpos: nil)
            }
        }
        #expect(values == [Float](repeating: 1, count: 10))
    }

    @Test("NonFiniteScan finds the first NaN or infinity anywhere, and nothing in finite data",
          arguments: [0, 1, 7, 8, 1023, 1024, 1031, 2047, 2050])
    func nonFiniteScan(index: Int) {
        var values = (0..<2051).map { Float($0) * 1.0e35 }  // up to 2.05e38: large, still finite
        values[2] = .greatestFiniteMagnitude
        values[3] = -.greatestFiniteMagnitude
        values[4] = .leastNonzeroMagnitude
        #expect(values.withUnsafeBufferPointer { NonFiniteScan.firstIndex(in: $0) } == nil)
        for special in [Float.nan, .infinity, -.infinity, Float(bitPattern: 0x7FC0_0001)] {
            var marked = values
            marked[index] = special
            if index + 5 < marked.count { marked[index + 5] = .nan }
            #expect(marked.withUnsafeBufferPointer { NonFiniteScan.firstIndex(in: $0) } == index)
            // An unaligned window (starts one float later) still finds it at its own index.
            if index > 0 {
                let found = marked.withUnsafeBufferPointer {
                    NonFiniteScan.firstIndex(in: UnsafeBufferPointer(rebasing: $0[1...]))
                }
                #expect(found == index - 1)
            }
        }
        #expect([Float]().withUnsafeBufferPointer { NonFiniteScan.firstIndex(in: $0) } == nil)
    }
}
