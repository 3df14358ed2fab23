extension RoPEScaling {
    /// What the scaled frequencies see of the sequence length: two lengths with equal dependence give bitwise equal
    /// frequencies (and the same errors), so a cache keyed by it never hands one length another length's table.
    enum SequenceLengthDependence: Hashable, Sendable {
        /// The frequencies ignore the sequence length (default, linear, ntk, yarn, llama3, proportional).
        case independent
        /// Dynamic NTK: the length `L = max(seqLen, mpe)` the NTK base grows with.
        case effectiveLength(Int)
        /// LongRoPE: whether the long factors apply (`seqLen > omax`).
        case longFactors(Bool)
    }

    /// The part of `sequenceLength` (nil: unknown) that `scaledFrequencies` depends on.
    ///
    /// Exhaustive on purpose: a new scaling type must state whether its frequencies depend on the length.
    func sequenceLengthDependence(_ sequenceLength: Int?) -> SequenceLengthDependence {
        switch self {
        case .none, .linear, .ntk, .yarn, .llama3, .proportional:
            return .independent
        case .dynamic(let dynamic):
            return .effectiveLength(dynamic.effectiveSequenceLength(sequenceLength))
        case .longrope(let longrope):
            return .longFactors(longrope.usesLongFactors(sequenceLength: sequenceLength))
        }
    }
}
