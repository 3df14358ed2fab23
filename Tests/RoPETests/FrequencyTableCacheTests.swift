import Dispatch
import Synchronization
import Testing
import RoPE

/// `FrequencyTableCache` hands out exactly the table a fresh build gives, never another sequence length's table,
/// keeps at most its bound of entries, and never remembers an error.
@Suite("Frequency table cache")
struct FrequencyTableCacheTests {
    /// One parameter set with the head dimension it is used with, named for messages.
    struct ParameterSet: Sendable {
        var name: String
        var parameters: RoPEParameters
        var headDimension: Int
    }

    /// The rope_type of `scaling`, as the golden files spell it.
    static func typeName(_ scaling: RoPEScaling) -> String {
        switch scaling {
        case .none: "default"
        case .linear: "linear"
        case .ntk: "ntk"
        case .dynamic: "dynamic"
        case .yarn: "yarn"
        case .llama3: "llama3"
        case .longrope: "longrope"
        case .proportional: "proportional"
        }
    }

    /// The parameter sets and head dimensions of the numeric golden cases (decay has no parameter set).
    static let goldenParameterSets: [ParameterSet] = GoldenCase.numericCaseFileNames.compactMap { fileName in
        guard let goldenCase = try? GoldenCase.load(fileName),
              let parameters = try? GoldenParameters.parameters(from: goldenCase.fields)
        else { return nil }
        let headDimension: Int?
        switch goldenCase.endpoint {
        case "/rotate": headDimension = (try? JSONValue.tensor(goldenCase.fields["embeddings"]))?.shape.last
        case "/attention": headDimension = (try? JSONValue.tensor(goldenCase.fields["queries"]))?.shape.last
        case "/frequencies": headDimension = JSONValue.int(goldenCase.fields["dim"])
        default: headDimension = nil
        }
        return headDimension.map { ParameterSet(name: fileName, parameters: parameters, headDimension: $0) }
    }

    /// The length around which a type's frequencies could switch: mpe for dynamic, omax for the others that have one.
    static func threshold(_ scaling: RoPEScaling) -> Int {
        switch scaling {
        case .none, .linear, .ntk, .proportional: 8
        case .dynamic(let dynamic): dynamic.maxPositionEmbeddings
        case .yarn(let yarn): yarn.originalMaxPositionEmbeddings
        case .llama3(let llama3): llama3.originalMaxPositionEmbeddings
        case .longrope(let longrope): longrope.originalMaxPositionEmbeddings
        }
    }

    /// Expects `table` to be `reference` bit for bit.
    static func expectIdentical(_ table: FrequencyTable, _ reference: FrequencyTable, _ context: String) {
        #expect(table == reference, "\(context)")
        #expect(table.rotaryDimension == reference.rotaryDimension, "\(context)")
        #expect(table.inverseFrequencies.map(\.bitPattern) == reference.inverseFrequencies.map(\.bitPattern),
                "\(context)")
        #expect(table.attentionFactor.bitPattern == reference.attentionFactor.bitPattern, "\(context)")
        #expect(table.appliedAttentionFactor.bitPattern == reference.appliedAttentionFactor.bitPattern, "\(context)")
    }

    /// The error `body` throws, nil when it returns.
    static func error(_ body: () throws(RoPEError) -> Void) -> RoPEError? {
        do { try body() } catch { return error }
        return nil
    }

    @Test("tables hash by their digest: equal tables hash alike, any differing field makes them unequal")
    func hashing() throws {
        for set in Self.goldenParameterSets {
            let first = try FrequencyTable(parameters: set.parameters, headDimension: set.headDimension,
                                           sequenceLength: 4096)
            let second = try FrequencyTable(parameters: set.parameters, headDimension: set.headDimension,
                                            sequenceLength: 4096)
            #expect(first == second && first.hashValue == second.hashValue, "\(set.name)")
        }
        var parameters = RoPEParameters()
        let base = try FrequencyTable(parameters: parameters, headDimension: 64, sequenceLength: nil)
        parameters.theta = 10_001
        let otherTheta = try FrequencyTable(parameters: parameters, headDimension: 64, sequenceLength: nil)
        parameters.theta = 10_000
        parameters.applyAttentionScaling.toggle()
        let otherFlag = try FrequencyTable(parameters: parameters, headDimension: 64, sequenceLength: nil)
        let otherDimension = try FrequencyTable(parameters: RoPEParameters(), headDimension: 32, sequenceLength: nil)
        #expect(Set([base, otherTheta, otherFlag, otherDimension]).count == 4)
        #expect(Set([base.hashValue, otherTheta.hashValue, otherFlag.hashValue, otherDimension.hashValue]).count == 4)
    }

    @Test("every golden parameter set maps to a type, and every type has golden sets")
    func goldenSetsCoverEveryType() {
        let names = Set(Self.goldenParameterSets.map { Self.typeName($0.parameters.scaling) })
        #expect(names == ["default", "linear", "ntk", "dynamic", "yarn", "llama3", "longrope", "proportional"])
        #expect(Self.goldenParameterSets.count >= 70)
    }

    @Test("miss and hit give the uncached table bit for bit, at lengths around the type's threshold",
          arguments: ["default", "linear", "ntk", "dynamic", "yarn", "llama3", "longrope", "proportional"])
    func hitEqualsUncachedBuild(typeName: String) throws {
        var sets = Self.goldenParameterSets.filter { Self.typeName($0.parameters.scaling) == typeName }
        try #require(!sets.isEmpty, "no golden parameter set of type \(typeName)")
        // Proportional has no fixture (it refuses the partial rotary dimensions the other fixtures are used with).
        if let scaling = Fixtures.everyScaling(rotaryDimension: 16).first(where: { $0.name == typeName })?.scaling {
            var fixture = RoPEParameters()
            fixture.scaling = scaling
            sets.append(ParameterSet(name: "fixture \(typeName)", parameters: fixture, headDimension: 16))
        }
        for set in sets {
            let threshold = Self.threshold(set.parameters.scaling)
            // Short lengths first, so that a wrong key would serve them to the long ones.
            let lengths: [Int?] = [nil, 1, threshold - 1, threshold, threshold + 1, 2 * threshold + 3]
            let cache = FrequencyTableCache(maximumEntries: 64)
            for length in lengths {
                let context = "\(set.name), seq_len \(length.map(String.init) ?? "nil")"
                let reference = try FrequencyTable(parameters: set.parameters, headDimension: set.headDimension,
                                                   sequenceLength: length)
                for _ in 0..<2 {
                    let cached = try cache.table(parameters: set.parameters, headDimension: set.headDimension,
                                                 sequenceLength: length)
                    Self.expectIdentical(cached, reference, context)
                }
            }
            // Which lengths share an entry: all for types that ignore the length; for dynamic, every length up to
            // mpe (L = max(seq_len, mpe)); for longrope, the short side (<= omax) and the long side.
            let expectedMisses = switch set.parameters.scaling {
            case .dynamic: 3
            case .longrope: 2
            default: 1
            }
            #expect(cache.statistics.misses == expectedMisses, "\(set.name)")
            #expect(cache.statistics.hits == 2 * lengths.count - expectedMisses, "\(set.name)")
        }
    }

    @Test("a length-dependent type never gets another length's table from the cache")
    func lengthDependentTypesKeepLengthsApart() throws {
        let longrope = RoPEScaling.longrope(Fixtures.longrope(rotaryDimension: 16))  // omax 8
        let dynamic = RoPEScaling.dynamic(DynamicNTKScaling(factor: 2, maxPositionEmbeddings: 8))
        for scaling in [dynamic, longrope] {
            var parameters = RoPEParameters()
            parameters.scaling = scaling
            let cache = FrequencyTableCache(maximumEntries: 64)
            // Forward, then backward: every second visit is a hit and must still be that length's table.
            let lengths = [8, 9, 10, 100]
            var tables: [Int: FrequencyTable] = [:]
            for length in lengths + lengths.reversed() {
                let table = try cache.table(parameters: parameters, headDimension: 16, sequenceLength: length)
                let reference = try FrequencyTable(parameters: parameters, headDimension: 16, sequenceLength: length)
                Self.expectIdentical(table, reference, "\(Self.typeName(scaling)), seq_len \(length)")
                tables[length] = table
            }
            #expect(tables[8] != tables[9], "\(Self.typeName(scaling)): 8 and 9 straddle the threshold")
            if case .dynamic = scaling {
                #expect(tables[9] != tables[10] && tables[10] != tables[100])
                #expect(cache.statistics.misses == 4)
            } else {
                #expect(tables[9] == tables[10] && tables[10] == tables[100])  // all take the long factors
                #expect(cache.statistics.misses == 2)
            }
        }
    }

    @Test("a length that throws is not served the table cached for a valid length of the same parameters")
    func lengthThatThrowsStillThrows() throws {
        // Dynamic NTK at base 1e300 with r = 4: up to mpe the base stays 1e300; at twice mpe it grows by
        // (1e5 * 2 - (1e5 - 1))^2, about 1e10, and overflows.
        var parameters = RoPEParameters()
        parameters.theta = 1e300
        parameters.scaling = .dynamic(DynamicNTKScaling(factor: 1e5, maxPositionEmbeddings: 8))
        let cache = FrequencyTableCache(maximumEntries: 64)
        _ = try cache.table(parameters: parameters, headDimension: 4, sequenceLength: 8)
        let direct = Self.error { () throws(RoPEError) in
            _ = try FrequencyTable(parameters: parameters, headDimension: 4, sequenceLength: 16)
        }
        let cached = Self.error { () throws(RoPEError) in
            _ = try cache.table(parameters: parameters, headDimension: 4, sequenceLength: 16)
        }
        #expect(direct?.field == "rope_scaling.factor")
        #expect(cached == direct)
        #expect(cache.statistics.entries == 1)
    }

    @Test("errors are not cached: an invalid parameter set throws the same error on every call")
    func errorsAreNotCached() throws {
        var negativeTheta = RoPEParameters()
        negativeTheta.theta = -1
        var zeroFactor = RoPEParameters()
        zeroFactor.scaling = .yarn(YaRNScaling(factor: 0, originalMaxPositionEmbeddings: 32))
        var shortList = RoPEParameters()
        shortList.scaling = .longrope(Fixtures.longrope(rotaryDimension: 8))  // 4 factors where d = 16 needs 8
        var ntkAtTwo = RoPEParameters()
        ntkAtTwo.rotaryDimension = .count(2)
        ntkAtTwo.scaling = .dynamic(DynamicNTKScaling(factor: 2, maxPositionEmbeddings: 8))
        let cases = [("rope_theta", negativeTheta), ("rope_scaling.factor", zeroFactor),
                     ("rope_scaling.short_factor", shortList), ("rotary_dim", ntkAtTwo)]
        let cache = FrequencyTableCache(maximumEntries: 64)
        for (field, parameters) in cases {
            let uncached = Self.error { () throws(RoPEError) in
                _ = try FrequencyTable(parameters: parameters, headDimension: 16, sequenceLength: 100)
            }
            let first = Self.error { () throws(RoPEError) in
                _ = try cache.table(parameters: parameters, headDimension: 16, sequenceLength: 100)
            }
            let second = Self.error { () throws(RoPEError) in
                _ = try cache.table(parameters: parameters, headDimension: 16, sequenceLength: 100)
            }
            #expect(uncached?.field == field)
            #expect(first == uncached, "\(field)")
            #expect(second == uncached, "\(field)")
            #expect(first?.message == second?.message && first?.message.isEmpty == false, "\(field)")
        }
        #expect(cache.statistics.entries == 0)
        #expect(cache.statistics.misses == 2 * cases.count)
        #expect(cache.statistics.hits == 0)
    }

    @Test("the cache never holds more than its bound and evicts the least recently used table")
    func boundedLeastRecentlyUsed() throws {
        let cache = FrequencyTableCache(maximumEntries: 3)
        func table(theta: Double) throws -> FrequencyTable {
            var parameters = RoPEParameters()
            parameters.theta = theta
            return try cache.table(parameters: parameters, headDimension: 8, sequenceLength: nil)
        }
        for theta in stride(from: 100.0, through: 1000, by: 100) {
            _ = try table(theta: theta)
            #expect(cache.statistics.entries <= 3)
        }
        #expect(cache.statistics.entries == 3)  // 800, 900, 1000
        cache.removeAll()
        #expect(cache.statistics == (hits: 0, misses: 0, entries: 0))
        _ = try table(theta: 1)
        _ = try table(theta: 2)
        _ = try table(theta: 3)
        _ = try table(theta: 1)  // 1 is now the most recently used, 2 the least
        _ = try table(theta: 4)  // evicts 2
        #expect(cache.statistics == (hits: 1, misses: 4, entries: 3))
        _ = try table(theta: 1)
        _ = try table(theta: 3)
        _ = try table(theta: 4)
        #expect(cache.statistics.hits == 4)
        _ = try table(theta: 2)  // gone: a miss, which evicts 1, now the least recently used
        #expect(cache.statistics.misses == 5)
        _ = try table(theta: 1)
        #expect(cache.statistics.misses == 6)
        #expect(cache.statistics.entries == 3)
        // A cache of no entries builds every time and keeps nothing.
        let none = FrequencyTableCache(maximumEntries: 0)
        _ = try none.table(parameters: RoPEParameters(), headDimension: 8, sequenceLength: nil)
        _ = try none.table(parameters: RoPEParameters(), headDimension: 8, sequenceLength: nil)
        #expect(none.statistics == (hits: 0, misses: 2, entries: 0))
    }

    @Test("concurrent callers of one small cache all get the uncached tables")
    func concurrentUse() throws {
        let sets = Fixtures.everyScaling(rotaryDimension: 16).map { named in
            var parameters = RoPEParameters()
            parameters.scaling = named.scaling
            return parameters
        }
        let lengths = [4, 8, 9, 40]  // around the fixtures' mpe and omax of 8
        var references: [[FrequencyTable]] = []
        for parameters in sets {
            references.append(try lengths.map { length throws(RoPEError) in
                try FrequencyTable(parameters: parameters, headDimension: 16, sequenceLength: length)
            })
        }
        // 7 types x 4 lengths (14 distinct keys) through 4 entries: hits, misses and evictions race.
        let cache = FrequencyTableCache(maximumEntries: 4)
        let mismatches = Atomic(0)
        let iterations = 400
        let frozenReferences = references
        DispatchQueue.concurrentPerform(iterations: iterations) { iteration in
            let setIndex = iteration % sets.count
            let lengthIndex = (iteration / sets.count) % lengths.count
            let table = try? cache.table(parameters: sets[setIndex], headDimension: 16,
                                         sequenceLength: lengths[lengthIndex])
            let reference = frozenReferences[setIndex][lengthIndex]
            if table != reference
                || table?.inverseFrequencies.map(\.bitPattern) != reference.inverseFrequencies.map(\.bitPattern)
            {
                mismatches.add(1, ordering: .relaxed)
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
        #expect(cache.statistics.hits + cache.statistics.misses == iterations)
        #expect(cache.statistics.entries <= 4)
    }

    @Test("the engine's cos/sin table is the same through the frequency table cache or without it")
    func engineUsesTheCache() throws {
        var parameters = RoPEParameters()
        parameters.scaling = .dynamic(DynamicNTKScaling(factor: 2, maxPositionEmbeddings: 8))
        let cache = FrequencyTableCache(maximumEntries: 8)
        for positions in [Array(0..<6), Array(0..<6), Array(0..<12), Array(0..<12)] {
            let cached = try Engine(frequencyTables: cache, cosineSineTables: .keepingNothing)
                .cosineSineTable(parameters: parameters, headDimension: 16, positions: positions)
            let uncached = try Engine(frequencyTables: .keepingNothing, cosineSineTables: .keepingNothing)
                .cosineSineTable(parameters: parameters, headDimension: 16, positions: positions)
            #expect(cached.cosines.map(\.bitPattern) == uncached.cosines.map(\.bitPattern))
            #expect(cached.sines.map(\.bitPattern) == uncached.sines.map(\.bitPattern))
        }
        #expect(cache.statistics == (hits: 2, misses: 2, entries: 2))
    }
}
