import RoPE

/// A deterministic SplitMix64 generator so property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builders shared by the property and validation tests.
enum Fixtures {
    /// A tensor of `shape` with values uniform in [-1, 1).
    static func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, values: (0..<count).map { _ in Float.random(in: -1..<1, using: &generator) })
    }

    /// LongRoPE factors for rotary dimension `r`: short near 1, long near 8.
    static func longrope(rotaryDimension r: Int, factor: Double = 16) -> LongRoPEScaling {
        LongRoPEScaling(shortFactor: (0..<(r / 2)).map { 1 + Double($0) / Double(r) },
                        longFactor: (0..<(r / 2)).map { 2 + 6 * Double($0) / Double(r) },
                        originalMaxPositionEmbeddings: 8, factor: factor)
    }

    /// One parameter set per rope_type, named for messages (rotary dimension `r` for longrope's lists).
    static func everyScaling(rotaryDimension r: Int) -> [(name: String, scaling: RoPEScaling)] {
        var yarn = YaRNScaling(factor: 4, originalMaxPositionEmbeddings: 32)
        yarn.betaFast = 16
        var llama3 = Llama3Scaling(factor: 8)
        llama3.originalMaxPositionEmbeddings = 64
        return [
            ("default", .none),
            ("linear", .linear(factor: 4)),
            ("ntk", .ntk(factor: 3)),
            ("dynamic", .dynamic(DynamicNTKScaling(factor: 2, maxPositionEmbeddings: 8))),
            ("yarn", .yarn(yarn)),
            ("llama3", .llama3(llama3)),
            ("longrope", .longrope(longrope(rotaryDimension: r))),
        ]
    }

    /// The largest |a - b| / (tolerance scale) style check: true when every element is within `tolerance`
    /// relative to max(1, |b|).
    static func allClose(_ a: [Float], _ b: [Float], tolerance: Double) -> (Bool, Int?) {
        guard a.count == b.count else { return (false, nil) }
        for index in a.indices {
            let difference = abs(Double(a[index]) - Double(b[index]))
            if !(difference <= tolerance * max(1, abs(Double(b[index])))) { return (false, index) }
        }
        return (true, nil)
    }
}

extension CosineSineCache {
    /// A cache that keeps no table, so every lookup builds afresh (the uncached reference).
    static var keepingNothing: CosineSineCache { CosineSineCache(maximumEntries: 0, maximumBytes: 0) }
}

extension FrequencyTableCache {
    /// A cache that keeps no table, so every lookup builds afresh (the uncached reference).
    static var keepingNothing: FrequencyTableCache { FrequencyTableCache(maximumEntries: 0) }
}
