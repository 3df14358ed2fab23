/// The outcome of a rotation: the rotated tensor and the attention factor that was applied to it.
public struct RotationResult: Sendable {
    /// The rotated (or un-rotated, for the inverse) tensor, same shape as the input.
    public var tensor: Tensor
    /// The factor that was applied (1 when `apply_attention_scaling` is false).
    public var attentionScaling: Double
}

/// The RoPE engine: x' = R(p * inv_freq) x per pair (RoFormer, Su et al. 2021, eq. 34), with the caches it owns.
///
/// One value per process (rope-server's `main` makes it and hands it to the handlers); tests and benchmarks build
/// their own. Copies share the caches, which are thread-safe.
public struct Engine: Sendable {
    /// Tensor elements from which rotation is split across cores by default (2^21 = 8 MB of float32): below it,
    /// waking a second thread costs more than it saves (BENCHMARKS.md, "Parallel threshold").
    public static let defaultParallelThreshold = 1 << 21

    /// Tensor elements from which a rotation is split across cores with `DispatchQueue.concurrentPerform`.
    public let parallelThreshold: Int
    /// The frequency tables of recent parameter sets.
    public let frequencyTables: FrequencyTableCache
    /// The cos/sin tables of recent shared positions.
    public let cosineSineTables: CosineSineCache

    /// An engine with its own caches (64 frequency tables; 64 cos/sin tables within 64 MiB) unless given some.
    public init(parallelThreshold: Int = Engine.defaultParallelThreshold,
                frequencyTables: FrequencyTableCache = FrequencyTableCache(maximumEntries: 64),
                cosineSineTables: CosineSineCache = CosineSineCache(maximumEntries: 64, maximumBytes: 64 << 20)) {
        self.parallelThreshold = parallelThreshold
        self.frequencyTables = frequencyTables
        self.cosineSineTables = cosineSineTables
    }

    /// The one rotation entry point: x' = R(p * inv_freq) x per pair of `source` into `destination` (RoFormer eq. 34).
    ///
    /// `source` is a row-major tensor of `shape`; `destination` may be its own memory (in place: one read and one
    /// write of each cache line, like memcpy). Returns the applied attention factor.
    /// Every pair is rotated by position * inv_freq (Double angles), multiplied by the applied attention factor;
    /// `inverse` applies R(-theta) divided by the factor (and by the xPos scale), so it is the exact inverse.
    /// With `from`, the values were rotated at those positions and are moved to `positions` instead (see
    /// `move`; no attention factor is applied again, so 1 is returned; `inverse` must then be false).
    /// Validates the positions count (field "positions": shared must be s, perRow rowCount*s), offset + position
    /// overflow (field "offset"), rank >= 1 and an even d. The sequence length for dynamic/longrope is
    /// 1 + max(position after offset) (at least 1). With xPos, positions so far from the centre that scale^power
    /// leaves the float32 range are rejected (field "xpos.scale_base"). Rows are split across cores only when
    /// `source.count >= parallelThreshold`. On a throw `destination` is unchanged.
    public func rotate(_ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableBufferPointer<Float>,
                       shape: [Int], positions: PositionGrid, from fromPositions: PositionGrid? = nil, offset: Int,
                       parameters: RoPEParameters, inverse: Bool, xpos: XPos?) throws(RoPEError) -> Double
    {
        precondition(destination.count == source.count,
                     "destination has \(destination.count) floats for \(source.count) values")
        if let fromPositions {
            guard !inverse else {
                throw RoPEError(.invalidParameter, field: "inverse",
                                "inverse cannot be combined with from_positions; to move back, swap the positions")
            }
            return try move(source, into: destination, shape: shape, from: fromPositions, to: positions,
                            offset: offset, parameters: parameters, xpos: xpos)
        }
        let plan = try RotationPlan(shape: shape, valueCount: source.count, positions: positions, offset: offset,
                                    parameters: parameters, xpos: xpos, frequencyTables: frequencyTables)
        if let sourceBase = source.baseAddress, let destinationBase = destination.baseAddress {
            Rotation.rotateValues(source: sourceBase, destination: destinationBase, geometry: plan.geometry,
                                  positions: plan.positions, table: plan.table, layout: parameters.layout,
                                  inverse: inverse, xpos: xpos, parallel: source.count >= parallelThreshold,
                                  cache: cosineSineTables)
        }
        return plan.table.appliedAttentionFactor
    }

    /// x' = R(p * inv_freq) x of a whole `Tensor` into a fresh one (RoFormer eq. 34): `rotate(_:into:...)` for
    /// callers that hold values rather than buffers, in one pass (no copy-then-rotate).
    public func rotate(_ tensor: Tensor, positions: PositionGrid, from fromPositions: PositionGrid? = nil,
                       offset: Int, parameters: RoPEParameters, inverse: Bool, xpos: XPos?) throws(RoPEError)
        -> RotationResult
    {
        var factor = Result<Double, RoPEError>.success(1)
        let values = [Float](unsafeUninitializedCapacity: tensor.values.count) { buffer, initialized in
            tensor.values.withUnsafeBufferPointer { source in
                factor = Result { () throws(RoPEError) in
                    try rotate(source, into: buffer, shape: tensor.shape, positions: positions, from: fromPositions,
                               offset: offset, parameters: parameters, inverse: inverse, xpos: xpos)
                }
            }
            initialized = buffer.count  // Float needs no deinitialisation; discarded below on a throw
        }
        return RotationResult(tensor: Tensor(shape: tensor.shape, values: values), attentionScaling: try factor.get())
    }

    /// Validates `shape` and the positions as `rotate` does, without rotating: for a layer without RoPE (Llama 4
    /// NoPE), whose tensor is returned as it is but whose request must still be well-formed.
    public static func validatePositions(shape: [Int], valueCount: Int, positions grid: PositionGrid,
                                         offset: Int) throws(RoPEError) {
        let geometry = try TensorGeometry(shape: shape, valueCount: valueCount, field: "embeddings")
        _ = try ResolvedPositions(grid, offset: offset, geometry: geometry, field: grid.reportedField("positions"))
    }

    /// The [positions.count, r/2] cos/sin tables of `positions` shared by every row, cos(p * inv_freq) and
    /// sin(p * inv_freq) times the applied attention factor as HF's rotary embedding returns them (RoFormer eq. 34),
    /// exactly the table a rotation at those positions uses; from `cosineSineTables` (built on a miss).
    public func cosineSineTable(parameters: RoPEParameters, headDimension: Int, positions: [Int],
                                inverse: Bool = false, xpos: XPos? = nil) throws(RoPEError) -> CosineSineTable
    {
        let sequenceLength = ResolvedPositions.scalingSequenceLength(maximumPosition: positions.max())
        let table = try frequencyTables.table(parameters: parameters, headDimension: headDimension,
                                              sequenceLength: sequenceLength)
        let coefficients = RotationCoefficients(table: table, inverse: inverse, xpos: xpos,
                                                sequenceLength: positions.count)
        let key = CosineSineKey(table: table, positions: .init(positions), spatial: nil, inverse: inverse, xpos: xpos,
                                sequenceLength: positions.count)
        return cosineSineTables.table(for: key) {
            CosineSineTable(coefficients, positions: positions, spatial: nil, parallel: false)
        }
    }
}
