extension Engine {
    /// Moves vectors rotated at `from` positions to `to` positions (cached keys to new positions), from `source`
    /// into `destination` (which may be the same memory); `rotate(_:into:...)` with `from` calls it:
    /// R(p) R(p_from)^-1 = R(p - p_from), one rotation by the difference, formed in Double as
    /// `Double(p - p_from) * inv_freq[j]` (integer difference, so large positions lose nothing).
    ///
    /// The vectors already carry the attention factor of their first rotation, so a move applies none (returns 1).
    /// With xPos the amplitude is `scale_j^(power(p) - power(p_from)) = scale_j^((p - p_from) / scale_base)`
    /// (negated for keys): the centre s//2 cancels. `offset` is added to both sides. Each side's sequence length
    /// for dynamic and longrope is 1 + its own largest position, as for a plain rotation at those positions; when
    /// the two lengths give different frequencies (dynamic beyond max_position_embeddings, longrope across its
    /// switch) the move is the exact inverse at `from` with the from side's frequencies followed by the forward
    /// rotation at `to`. M-RoPE parameters with plain positions (t = h = w) move like plain RoPE; 3-axis positions
    /// are refused. Errors name `positions`, `from_positions`, `offset` or `xpos.scale_base`; on a throw `destination`
    /// is unchanged.
    func move(_ values: UnsafeBufferPointer<Float>, into destination: UnsafeMutableBufferPointer<Float>,
              shape: [Int], from source: PositionGrid, to target: PositionGrid, offset: Int,
              parameters: RoPEParameters, xpos: XPos?) throws(RoPEError) -> Double
    {
        if case .multiAxis = target {
            throw RoPEError(.invalidParameter, field: "from_positions",
                            "from_positions moves tokens at plain positions, not M-RoPE's three position axes")
        }
        if case .multiAxis = source {
            throw RoPEError(.invalidParameter, field: "from_positions",
                            "from_positions must be plain positions, not M-RoPE's three position axes")
        }
        let geometry = try TensorGeometry(shape: shape, valueCount: values.count, field: "embeddings")
        let targetPositions = try ResolvedPositions(target, offset: offset, geometry: geometry, field: "positions")
        let sourcePositions = try ResolvedPositions(source, offset: offset, geometry: geometry,
                                                    field: "from_positions")
        let targetLength = ResolvedPositions.scalingSequenceLength(maximumPosition: targetPositions.maximum)
        let sourceLength = ResolvedPositions.scalingSequenceLength(maximumPosition: sourcePositions.maximum)
        let scaling = parameters.scaling
        guard let input = values.baseAddress, let output = destination.baseAddress else { return 1 }
        let parallel = values.count >= parallelThreshold

        guard scaling.sequenceLengthDependence(targetLength) == scaling.sequenceLengthDependence(sourceLength) else {
            // Different frequencies on the two sides: no single rotation maps one to the other.
            let undo = try RotationPlan(shape: shape, valueCount: values.count, positions: source, offset: offset,
                                        parameters: parameters, xpos: xpos, frequencyTables: frequencyTables,
                                        field: "from_positions")
            let redo = try RotationPlan(shape: shape, valueCount: values.count, positions: target, offset: offset,
                                        parameters: parameters, xpos: xpos, frequencyTables: frequencyTables)
            Rotation.rotateValues(source: input, destination: output, geometry: geometry, positions: undo.positions,
                                  table: undo.table, layout: parameters.layout, inverse: true, xpos: xpos,
                                  parallel: parallel, cache: cosineSineTables)
            Rotation.rotateValues(source: output, destination: output, geometry: geometry, positions: redo.positions,
                                  table: redo.table, layout: parameters.layout, inverse: false, xpos: xpos,
                                  parallel: parallel, cache: cosineSineTables)
            return 1
        }

        let differences = try ResolvedPositions(
            Self.differenceGrid(target: targetPositions, source: sourcePositions, geometry: geometry),
            offset: 0, geometry: geometry, field: "from_positions")
        if let xpos {
            try xpos.validate()
            if let minimum = differences.positions.min(), let maximum = differences.maximum {
                try xpos.validateRange(minimumPosition: minimum, maximumPosition: maximum, sequenceLength: 0)
            }
        }
        var rotationOnly = parameters
        rotationOnly.applyAttentionScaling = false
        let table = try frequencyTables.table(parameters: rotationOnly, headDimension: geometry.featureCount,
                                              sequenceLength: targetLength)
        Rotation.rotateValues(source: input, destination: output, geometry: geometry, positions: differences,
                              table: table, layout: parameters.layout, inverse: false, xpos: xpos, parallel: parallel,
                              cache: cosineSineTables, xposSequenceLength: 0)
        return 1
    }

    /// `p - p_from` per sequence index when both sides are shared by every row, else per token.
    private static func differenceGrid(target: ResolvedPositions, source: ResolvedPositions,
                                       geometry: TensorGeometry) throws(RoPEError) -> PositionGrid {
        let shared = target.isShared && source.isShared
        let count = shared ? geometry.sequenceLength : geometry.tokenCount
        var differences = [Int]()
        differences.reserveCapacity(count)
        for index in 0..<count {
            let (difference, overflow) = target.position(ofToken: index)
                .subtractingReportingOverflow(source.position(ofToken: index))
            guard !overflow else {
                throw RoPEError(.limitExceeded, field: "from_positions",
                                "positions - from_positions overflows a 64-bit integer at token \(index)")
            }
            differences.append(difference)
        }
        return shared ? .shared(differences) : .perRow(differences)
    }
}
