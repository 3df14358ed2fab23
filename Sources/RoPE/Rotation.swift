/// The outcome of a rotation: the rotated tensor and the attention factor that was applied to it.
public struct RotationResult: Sendable {
    /// The rotated (or un-rotated, for the inverse) tensor, same shape as the input.
    public var tensor: Tensor
    /// The factor that was applied (1 when `apply_attention_scaling` is false).
    public var attentionScaling: Double
}

/// Rotary Position Embedding (RoFormer, Su et al. 2021, eq. 34) applied to a whole tensor.
public enum Rotation {
    /// Rotates the first r features of every token by its position's angles (forward or exact inverse).
    ///
    /// Every pair is rotated by position*inv_freq (Double angles), multiplied by the applied attention factor; inverse applies R(-theta) divided by the factor (and by the xPos scale), so it
    /// is the exact inverse. Validates the positions count (field "positions": shared must be s, perRow
    /// rowCount*s), offset + position overflow (field "offset"), rank >= 1 and an even d. The sequence length for
    /// dynamic/longrope is 1 + max(position after offset) (at least 1). With xPos, positions so far from the centre
    /// that scale^power leaves the float32 range are rejected (field "xpos.scale_base"). Rows are split across cores with
    /// `DispatchQueue.concurrentPerform` only when `values.count >= parallelThreshold`. The frequency table comes from
    /// `FrequencyTableCache.shared`, the shared positions' cos/sin table from `CosineSineCache.shared`.
    public static func rotate(_ tensor: Tensor, positions: PositionGrid, offset: Int, parameters: RoPEParameters,
                              inverse: Bool, xpos: XPos?, parallelThreshold: Int = defaultParallelThreshold)
        throws(RoPEError) -> RotationResult
    {
        let plan = try RotationPlan(tensor, positions: positions, offset: offset, parameters: parameters, xpos: xpos)
        let count = tensor.values.count
        // One pass: read the input, write a fresh (uninitialised) output; no copy-then-rotate.
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            tensor.values.withUnsafeBufferPointer { source in
                guard let sourceBase = source.baseAddress, let destination = buffer.baseAddress else { return }
                rotateValues(source: sourceBase, destination: destination, geometry: plan.geometry,
                             positions: plan.positions, table: plan.table, layout: parameters.layout,
                             inverse: inverse, xpos: xpos, parallel: count >= parallelThreshold)
            }
            initialized = count
        }
        return RotationResult(tensor: Tensor(shape: tensor.shape, values: values),
                              attentionScaling: plan.table.appliedAttentionFactor)
    }

    /// Like `rotate`, but writes into `output` (`tensor.values.count` floats, which may be the input's own storage)
    /// and returns the applied attention factor; for callers that reuse buffers, such as benchmarks.
    public static func rotate(_ tensor: Tensor, into output: UnsafeMutableBufferPointer<Float>, positions: PositionGrid,
                              offset: Int, parameters: RoPEParameters, inverse: Bool, xpos: XPos?,
                              parallelThreshold: Int = defaultParallelThreshold) throws(RoPEError) -> Double
    {
        let plan = try RotationPlan(tensor, positions: positions, offset: offset, parameters: parameters, xpos: xpos)
        precondition(output.count == tensor.values.count, "output has \(output.count) floats for \(tensor.values.count) values")
        tensor.values.withUnsafeBufferPointer { source in
            guard let sourceBase = source.baseAddress, let destination = output.baseAddress else { return }
            rotateValues(source: sourceBase, destination: destination, geometry: plan.geometry,
                         positions: plan.positions, table: plan.table, layout: parameters.layout,
                         inverse: inverse, xpos: xpos, parallel: output.count >= parallelThreshold)
        }
        return plan.table.appliedAttentionFactor
    }

    /// Rotates `tensor` in place and returns the applied attention factor: one read and one write of every cache
    /// line, as a memcpy (a separate output buffer also costs a read-for-ownership of each destination line).
    /// Validation is that of `rotate`; on a throw the tensor is unchanged.
    public static func rotate(inPlace tensor: inout Tensor, positions: PositionGrid, offset: Int,
                              parameters: RoPEParameters, inverse: Bool, xpos: XPos?,
                              parallelThreshold: Int = defaultParallelThreshold) throws(RoPEError) -> Double
    {
        let plan = try RotationPlan(tensor, positions: positions, offset: offset, parameters: parameters, xpos: xpos)
        let count = tensor.values.count
        tensor.values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            rotateValues(source: base, destination: base, geometry: plan.geometry, positions: plan.positions,
                         table: plan.table, layout: parameters.layout, inverse: inverse, xpos: xpos,
                         parallel: count >= parallelThreshold)
        }
        return plan.table.appliedAttentionFactor
    }

    /// Rotates `values`, a row-major tensor of `shape` in the caller's memory, in place; returns the applied
    /// attention factor. The same rotation, validation and cost as `rotate(inPlace:)` on a `Tensor`, for callers
    /// whose data already sits in a buffer they own (the server rotates a received .npy body where it landed and
    /// sends the same memory back). On a throw the values are unchanged.
    public static func rotate(inPlace values: UnsafeMutableBufferPointer<Float>, shape: [Int], positions: PositionGrid,
                              offset: Int, parameters: RoPEParameters, inverse: Bool, xpos: XPos?,
                              parallelThreshold: Int = defaultParallelThreshold) throws(RoPEError) -> Double
    {
        let plan = try RotationPlan(shape: shape, valueCount: values.count, positions: positions, offset: offset,
                                    parameters: parameters, xpos: xpos)
        if let base = values.baseAddress {
            rotateValues(source: base, destination: base, geometry: plan.geometry, positions: plan.positions,
                         table: plan.table, layout: parameters.layout, inverse: inverse, xpos: xpos,
                         parallel: values.count >= parallelThreshold)
        }
        return plan.table.appliedAttentionFactor
    }

    /// Validates `shape` and the positions as `rotate` does, without rotating: for a layer without RoPE (Llama 4
    /// NoPE), whose tensor is returned as it is but whose request must still be well-formed.
    public static func validatePositions(shape: [Int], valueCount: Int, positions grid: PositionGrid,
                                         offset: Int) throws(RoPEError) {
        let geometry = try TensorGeometry(shape: shape, valueCount: valueCount, field: "embeddings")
        let field = if case .multiAxis = grid { "mrope_positions" } else { "positions" }
        _ = try ResolvedPositions(grid, offset: offset, geometry: geometry, field: field)
    }

    /// Tensor elements from which rotation is split across cores by default (2^21 = 8 MB of float32).
    ///
    /// rope-bench's sweep on the 2-core machine: one thread rotates a cached-table tensor at ~48 GB/s while it is
    /// in cache, so waking the second thread (20-40 us, more when the cores are shared) lost at every size up to
    /// 2^20 elements (2 chunks 1.2-7x slower); at 8 M elements both are memory-bound and within a few percent.
    public static let defaultParallelThreshold = 1 << 21

    /// Rotates already validated `values`; shared by `rotate` and `AttentionScores`, which builds one table for
    /// queries and keys.
    static func rotateValues(_ values: [Float], geometry: TensorGeometry, positions: ResolvedPositions,
                             table: FrequencyTable, layout: RotationLayout, inverse: Bool, xpos: XPos?,
                             parallel: Bool) -> [Float]
    {
        let count = values.count
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            values.withUnsafeBufferPointer { source in
                guard let sourceBase = source.baseAddress, let destination = buffer.baseAddress else { return }
                rotateValues(source: sourceBase, destination: destination, geometry: geometry, positions: positions,
                             table: table, layout: layout, inverse: inverse, xpos: xpos, parallel: parallel)
            }
            initialized = count
        }
    }

    /// Reads every token at `source` and writes it rotated at `destination` (the same memory is fine).
    ///
    /// Shared positions use one [s, r/2] cos/sin table for every row, taken from `CosineSineCache.shared` (built on
    /// a miss); per-token positions compute one token's coefficients at a time into a per-chunk scratch.
    /// `xposSequenceLength` is the length whose centre xPos measures powers from (nil: the tensor's s).
    static func rotateValues(source: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>,
                             geometry: TensorGeometry, positions: ResolvedPositions, table: FrequencyTable,
                             layout: RotationLayout, inverse: Bool, xpos: XPos?, parallel: Bool,
                             cache: CosineSineCache? = .shared, xposSequenceLength: Int? = nil)
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
        let build = {
            buildTable(coefficients, positions: positions.positions, spatial: positions.spatial, parallel: parallel)
        }
        let cosineSine = cache?.table(for: key, build: build) ?? build()
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

    /// The cos/sin table the engine uses for `positions` shared by every row (a sequence of `positions.count`
    /// tokens), taken from `cache` or built when it is nil or misses; exposed for tests and benchmarks. Its frequency
    /// table likewise comes from `frequencyTableCache` (nil: built afresh).
    public static func cosineSineTable(parameters: RoPEParameters, headDimension: Int, positions: [Int],
                                       inverse: Bool = false, xpos: XPos? = nil,
                                       cache: CosineSineCache? = .shared,
                                       frequencyTableCache: FrequencyTableCache? = .shared) throws(RoPEError)
        -> CosineSineTable
    {
        let sequenceLength = ResolvedPositions.scalingSequenceLength(maximumPosition: positions.max())
        let table = if let frequencyTableCache {
            try frequencyTableCache.table(parameters: parameters, headDimension: headDimension,
                                          sequenceLength: sequenceLength)
        } else {
            try FrequencyTable(parameters: parameters, headDimension: headDimension, sequenceLength: sequenceLength)
        }
        let coefficients = RotationCoefficients(table: table, inverse: inverse, xpos: xpos, sequenceLength: positions.count)
        let key = CosineSineKey(table: table, positions: .init(positions), spatial: nil, inverse: inverse, xpos: xpos,
                                sequenceLength: positions.count)
        let build = { buildTable(coefficients, positions: positions, spatial: nil, parallel: false) }
        return cache?.table(for: key, build: build) ?? build()
    }

    /// The [positions.count, r/2] cos/sin table, computed in Double per entry (split across cores when `parallel`);
    /// with `spatial`, row i is the M-RoPE token at (positions[i], height[i], width[i]).
    static func buildTable(_ coefficients: RotationCoefficients, positions: [Int], spatial: SpatialPositions?,
                           parallel: Bool) -> CosineSineTable {
        let pairCount = coefficients.pairCount
        let count = positions.count * pairCount
        var cosines = [Float](repeating: 0, count: count)
        var sines = [Float](repeating: 0, count: count)
        cosines.withUnsafeMutableBufferPointer { cosBuffer in
            sines.withUnsafeMutableBufferPointer { sinBuffer in
                guard let cosBase = cosBuffer.baseAddress, let sinBase = sinBuffer.baseAddress else { return }
                let tablePointers = UncheckedSendable(wrapped: (cosines: cosBase, sines: sinBase))
                ParallelChunks.run(count: positions.count, parallel: parallel) { range in
                    for index in range {
                        let cosine = tablePointers.wrapped.cosines + index * pairCount
                        let sine = tablePointers.wrapped.sines + index * pairCount
                        if let spatial {
                            coefficients.fill(axisPositions: (positions[index], spatial.height[index],
                                                              spatial.width[index]), cosine: cosine, sine: sine)
                        } else {
                            coefficients.fill(position: positions[index], cosine: cosine, sine: sine)
                        }
                    }
                }
            }
        }
        return CosineSineTable(cosines: cosines, sines: sines, rows: positions.count)
    }
}

/// The validated geometry, positions and frequency table of one rotation request.
struct RotationPlan {
    let geometry: TensorGeometry
    let positions: ResolvedPositions
    let table: FrequencyTable

    /// Validates everything `Rotation.rotate` documents and takes the frequency table from
    /// `FrequencyTableCache.shared` (built on a miss).
    init(_ tensor: Tensor, positions grid: PositionGrid, offset: Int, parameters: RoPEParameters,
         xpos: XPos?) throws(RoPEError)
    {
        try self.init(shape: tensor.shape, valueCount: tensor.values.count, positions: grid, offset: offset,
                      parameters: parameters, xpos: xpos)
    }

    /// The same for `valueCount` values laid out as `shape` in a caller's buffer; position errors name `field`.
    init(shape: [Int], valueCount: Int, positions grid: PositionGrid, offset: Int, parameters: RoPEParameters,
         xpos: XPos?, field: String = "positions") throws(RoPEError)
    {
        let geometry = try TensorGeometry(shape: shape, valueCount: valueCount, field: "embeddings")
        let positionsField = if case .multiAxis = grid { "mrope_positions" } else { field }
        let resolved = try ResolvedPositions(grid, offset: offset, geometry: geometry, field: positionsField)
        if let xpos, let minimum = resolved.minimum, let maximum = resolved.maximum {
            try xpos.validate()
            try xpos.validateRange(minimumPosition: minimum, maximumPosition: maximum,
                                   sequenceLength: geometry.sequenceLength)
        } else {
            try xpos?.validate()
        }
        let table = try FrequencyTableCache.shared.table(
            parameters: parameters, headDimension: geometry.featureCount,
            sequenceLength: ResolvedPositions.scalingSequenceLength(maximumPosition: resolved.maximum))
        try resolved.requireAxes(matching: table, field: positionsField)
        self.geometry = geometry
        self.positions = resolved
        self.table = table
    }
}
