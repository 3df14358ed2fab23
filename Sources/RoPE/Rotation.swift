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
    /// `DispatchQueue.concurrentPerform` only when `values.count >= parallelThreshold`.
    public static func rotate(_ tensor: Tensor, positions: PositionGrid, offset: Int, parameters: RoPEParameters,
                              inverse: Bool, xpos: XPos?, parallelThreshold: Int = 1 << 16) throws(RoPEError)
        -> RotationResult
    {
        let geometry = try TensorGeometry(tensor, field: "embeddings")
        let resolved = try ResolvedPositions(positions, offset: offset, geometry: geometry, field: "positions")
        if let xpos, let minimum = resolved.positions.min(), let maximum = resolved.maximum {
            try xpos.validate()
            try xpos.validateRange(minimumPosition: minimum, maximumPosition: maximum,
                                   sequenceLength: geometry.sequenceLength)
        } else {
            try xpos?.validate()
        }
        let table = try FrequencyTable(
            parameters: parameters, headDimension: geometry.featureCount,
            sequenceLength: ResolvedPositions.scalingSequenceLength(maximumPosition: resolved.maximum))
        let values = rotateValues(tensor.values, geometry: geometry, positions: resolved, table: table,
                                  layout: parameters.layout, inverse: inverse, xpos: xpos,
                                  parallel: tensor.values.count >= parallelThreshold)
        return RotationResult(tensor: Tensor(shape: tensor.shape, values: values),
                              attentionScaling: table.appliedAttentionFactor)
    }

    /// Rotates already validated `values`; shared by `rotate` and `AttentionScores`, which builds one table for
    /// queries and keys. cos/sin are computed once per shared position (a [s, r/2] table) or once per token.
    static func rotateValues(_ values: [Float], geometry: TensorGeometry, positions: ResolvedPositions,
                             table: FrequencyTable, layout: RotationLayout, inverse: Bool, xpos: XPos?,
                             parallel: Bool) -> [Float]
    {
        var output = values  // pass-through features r..<d are already in place
        let coefficients = RotationCoefficients(table: table, inverse: inverse, xpos: xpos,
                                                sequenceLength: geometry.sequenceLength)
        let kernel = RotationKernel(pairCount: coefficients.pairCount, layout: layout)
        let pairCount = coefficients.pairCount
        let d = geometry.featureCount

        // Shared positions: one [s, r/2] cos/sin table reused by every row.
        let tableCount = positions.isShared ? positions.positions.count * pairCount : 0
        var cosines = [Float](repeating: 0, count: tableCount)
        var sines = [Float](repeating: 0, count: tableCount)
        if positions.isShared {
            cosines.withUnsafeMutableBufferPointer { cosBuffer in
                sines.withUnsafeMutableBufferPointer { sinBuffer in
                    guard let cosBase = cosBuffer.baseAddress, let sinBase = sinBuffer.baseAddress else { return }
                    let cosPointer = UncheckedSendable(wrapped: cosBase)
                    let sinPointer = UncheckedSendable(wrapped: sinBase)
                    let sharedPositions = positions.positions
                    ParallelChunks.run(count: sharedPositions.count, parallel: parallel) { range in
                        for index in range {
                            coefficients.fill(position: sharedPositions[index],
                                              cosine: cosPointer.wrapped + index * pairCount,
                                              sine: sinPointer.wrapped + index * pairCount)
                        }
                    }
                }
            }
        }

        cosines.withUnsafeBufferPointer { cosBuffer in
            sines.withUnsafeBufferPointer { sinBuffer in
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    guard let outputBase = outputBuffer.baseAddress else { return }
                    let outputPointer = UncheckedSendable(wrapped: outputBase)
                    let tablePointers = UncheckedSendable(wrapped: (cosBuffer.baseAddress, sinBuffer.baseAddress))
                    ParallelChunks.run(count: geometry.tokenCount, parallel: parallel) { tokens in
                        if positions.isShared, let cosTable = tablePointers.wrapped.0,
                           let sinTable = tablePointers.wrapped.1
                        {
                            let s = positions.sequenceLength
                            for token in tokens {
                                let tableRow = (token % s) * pairCount
                                kernel.rotate(outputPointer.wrapped + token * d,
                                              cosine: cosTable + tableRow, sine: sinTable + tableRow)
                            }
                        } else {
                            // Per-token positions: coefficients for one token at a time in a per-chunk scratch.
                            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * pairCount)
                            defer { scratch.deallocate() }
                            for token in tokens {
                                coefficients.fill(position: positions.position(ofToken: token),
                                                  cosine: scratch, sine: scratch + pairCount)
                                kernel.rotate(outputPointer.wrapped + token * d,
                                              cosine: scratch, sine: scratch + pairCount)
                            }
                        }
                    }
                }
            }
        }
        return output
    }
}
