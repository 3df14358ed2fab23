/// The driver of every rotation: validated geometry, positions and frequency table in, kernel calls out.
enum Rotation {
    /// Reads every token at `source` and writes it rotated at `destination` (the same memory is fine).
    ///
    /// Shared positions use one [s, r/2] cos/sin table for every row, taken from `cache` (built on a miss);
    /// per-token positions compute one token's coefficients at a time into a per-chunk scratch.
    /// `xposSequenceLength` is the length whose centre xPos measures powers from (nil: the tensor's s).
    static func rotateValues(source: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>,
                             geometry: TensorGeometry, positions: ResolvedPositions, table: FrequencyTable,
                             layout: RotationLayout, inverse: Bool, xpos: XPos?, parallel: Bool,
                             cache: CosineSineCache, xposSequenceLength: Int? = nil)
    {
        let xposSequenceLength = xposSequenceLength ?? geometry.sequenceLength
        let coefficients = RotationCoefficients(table: table, inverse: inverse, xpos: xpos,
                                                sequenceLength: xposSequenceLength)
        let pairCount = coefficients.pairCount
        let d = geometry.featureCount
        let r = table.rotaryDimension
        let pointers = UncheckedSendable(wrapped: (source: source, destination: destination))

        guard positions.isShared else {
            ParallelChunks.run(count: geometry.tokenCount, parallel: parallel) { tokens in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(2 * pairCount, 1))
                defer { scratch.deallocate() }
                for token in tokens {
                    if let spatial = positions.spatial {
                        coefficients.fill(axisPositions: positions.axisPositions(ofToken: token, spatial: spatial),
                                          cosine: scratch, sine: scratch + pairCount)
                    } else {
                        coefficients.fill(position: positions.position(ofToken: token),
                                          cosine: scratch, sine: scratch + pairCount)
                    }
                    RotationKernel.rotate(tokens: token..<(token + 1), source: pointers.wrapped.source,
                                          destination: pointers.wrapped.destination, featureCount: d,
                                          rotaryDimension: r, layout: layout, cosines: scratch,
                                          sines: scratch + pairCount, tableRows: 1)
                }
            }
            return
        }

        // M-RoPE with shared 3-axis positions: slot j of row i holds the angle of its axis's position, so the
        // kernel below runs unchanged and costs what plain RoPE costs.
        let key = CosineSineKey(table: table, positions: .init(positions.positions), spatial: positions.spatial,
                                inverse: inverse, xpos: xpos, sequenceLength: xposSequenceLength)
        let cosineSine = cache.table(for: key) {
            CosineSineTable(coefficients, positions: positions.positions, spatial: positions.spatial,
                            parallel: parallel)
        }
        cosineSine.cosines.withUnsafeBufferPointer { cosBuffer in
            cosineSine.sines.withUnsafeBufferPointer { sinBuffer in
                guard let cosBase = cosBuffer.baseAddress, let sinBase = sinBuffer.baseAddress else {
                    // r = 0: nothing rotates, every feature passes through.
                    if source != UnsafePointer(destination) {
                        destination.update(from: source, count: geometry.tokenCount * d)
                    }
                    return
                }
                let tablePointers = UncheckedSendable(wrapped: (cosines: cosBase, sines: sinBase))
                let rows = positions.sequenceLength
                // Into a separate buffer far larger than the caches: streaming stores (see the threshold).
                let outputBytes = geometry.tokenCount * d * MemoryLayout<Float>.stride
                let implementation: RotationKernel.Implementation =
                    source != UnsafePointer(destination) && outputBytes >= RotationKernel.nonTemporalThresholdBytes
                    ? .simdNonTemporal : .simd
                ParallelChunks.run(count: geometry.tokenCount, parallel: parallel) { tokens in
                    RotationKernel.rotate(tokens: tokens, source: pointers.wrapped.source,
                                          destination: pointers.wrapped.destination, featureCount: d,
                                          rotaryDimension: r, layout: layout, cosines: tablePointers.wrapped.cosines,
                                          sines: tablePointers.wrapped.sines, tableRows: rows,
                                          implementation: implementation)
                }
            }
        }
    }
}

/// The validated geometry, positions and frequency table of one rotation request.
struct RotationPlan {
    let geometry: TensorGeometry
    let positions: ResolvedPositions
    let table: FrequencyTable

    /// Validates everything `Engine.rotate` documents for `valueCount` values laid out as `shape` and takes the
    /// frequency table from `frequencyTables` (built on a miss); position errors name `field`.
    init(shape: [Int], valueCount: Int, positions grid: PositionGrid, offset: Int, parameters: RoPEParameters,
         xpos: XPos?, frequencyTables: FrequencyTableCache, field: String = "positions") throws(RoPEError)
    {
        let geometry = try TensorGeometry(shape: shape, valueCount: valueCount, field: "embeddings")
        let positionsField = grid.reportedField(field)
        let resolved = try ResolvedPositions(grid, offset: offset, geometry: geometry, field: positionsField)
        if let xpos, let minimum = resolved.minimum, let maximum = resolved.maximum {
            try xpos.validate()
            try xpos.validateRange(minimumPosition: minimum, maximumPosition: maximum,
                                   sequenceLength: geometry.sequenceLength)
        } else {
            try xpos?.validate()
        }
        let table = try frequencyTables.table(
            parameters: parameters, headDimension: geometry.featureCount,
            sequenceLength: ResolvedPositions.scalingSequenceLength(maximumPosition: resolved.maximum))
        try resolved.requireAxes(matching: table, field: positionsField)
        self.geometry = geometry
        self.positions = resolved
        self.table = table
    }
}
