extension RoPEScaling {
    /// The context the model was pre-trained for, as the scaling block states it: `original_max_position_embeddings`
    /// for llama3, yarn and longrope, `max_position_embeddings` for dynamic (above it the base grows); nil for
    /// default, linear, ntk and proportional, whose blocks carry no length.
    public var originalContextLength: Int? {
        switch self {
        case .none, .linear, .ntk, .proportional: nil
        case .dynamic(let dynamic): dynamic.maxPositionEmbeddings
        case .yarn(let yarn): yarn.originalMaxPositionEmbeddings
        case .llama3(let llama3): llama3.originalMaxPositionEmbeddings
        case .longrope(let longrope): longrope.originalMaxPositionEmbeddings
        }
    }

    /// The ratio `base / scaled` a fully interpolated slot has at a sequence of `sequenceLength` tokens: `factor`
    /// for linear, ntk (its lowest frequency), yarn, llama3, longrope and proportional (its non-zero slots); for
    /// dynamic the NTK growth `factor * L / mpe - (factor - 1)` with `L = max(seqLen, mpe)` (its lowest
    /// frequency's ratio); 1 for default.
    public func interpolationFactor(sequenceLength: Int?) -> Double {
        switch self {
        case .none: 1
        case .linear(let factor), .ntk(let factor): factor
        case .dynamic(let dynamic): dynamic.growth(sequenceLength: sequenceLength)
        case .yarn(let yarn): yarn.factor
        case .llama3(let llama3): llama3.factor
        case .longrope(let longrope): longrope.factor
        case .proportional(let proportional): proportional.factor
        }
    }

    /// LongRoPE's switch: the first sequence length that takes `long_factor` (`omax + 1`, since HF switches when
    /// `seq_len > original_max_position_embeddings`); nil for the other types.
    public var longFactorSwitchLength: Int? {
        guard case .longrope(let longrope) = self else { return nil }
        let (length, overflow) = longrope.originalMaxPositionEmbeddings.addingReportingOverflow(1)
        return overflow ? nil : length
    }
}
