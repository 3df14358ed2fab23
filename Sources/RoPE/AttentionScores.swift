import Foundation

/// How attention scores are scaled, masked and normalised.
public struct AttentionOptions: Sendable, Hashable {
    /// The multiplier of q.k; nil means the standard 1/sqrt(d) (Vaswani et al. 2017).
    public var scale: Double? = nil
    /// Whether keys at a later position than the query (by position value, not index) are masked.
    public var causal: Bool = false
    /// Whether each row is normalised with softmax over its unmasked keys.
    public var softmax: Bool = false

    /// Unscaled-by-default, unmasked, raw scores.
    public init() {}
}

/// Attention logits between RoPE-rotated queries and keys: scores = (R q)(R k)^T * scale.
///
/// Because R(m)^T R(n) = R(n - m), the scores depend on positions only through their differences
/// (RoFormer, Su et al. 2021, eq. 16).
enum AttentionScores {
    /// The largest score tensor computed (2^28 entries, 1 GiB of float32), since its size is quadratic in s.
    static let maximumScoreCount = 1 << 28

    /// Elements (queries plus keys, or scores times d) from which the work is split across cores.
    static let parallelThreshold = 1 << 16
}

extension Engine {
    /// Attention logits (R q)(R k)^T * scale for every leading row (RoFormer, Su et al. 2021, eq. 16).
    ///
    /// With an optional causal mask and softmax. queries [..., s_q, d], keys [..., s_k, d] with equal leading axes
    /// and d (else RoPEError.shapeMismatch field "keys"). `parameters` nil is a layer without RoPE (Llama 4 NoPE):
    /// q and k are scored unrotated. Both rotated with the same parameters (the FrequencyTable at seq_len = 1 + max
    /// over q and k positions, from `frequencyTables`). Result shape [..., s_q, s_k]; masked entries are -infinity
    /// when !softmax, and exactly 0 after softmax. A row with every key masked: -infinity everywhere (also with
    /// softmax). More than `AttentionScores.maximumScoreCount` scores throw `limitExceeded` (field "keys"); an
    /// unmasked score that overflows float32 (or, with softmax, Double) throws `invalidParameter` (field "scale"), so
    /// -infinity always means masked.
    public func attentionScores(queries: Tensor, keys: Tensor, queryPositions: PositionGrid, keyPositions: PositionGrid,
                               parameters: RoPEParameters?, options: AttentionOptions) throws(RoPEError) -> Tensor
    {
        let queryGeometry = try TensorGeometry(queries, field: "queries")
        let keyGeometry = try TensorGeometry(keys, field: "keys")
        guard keyGeometry.featureCount == queryGeometry.featureCount else {
            throw RoPEError(.shapeMismatch, field: "keys",
                            "keys head dimension (\(keyGeometry.featureCount)) must equal the queries head "
                                + "dimension (\(queryGeometry.featureCount))")
        }
        guard keyGeometry.leadingShape == queryGeometry.leadingShape else {
            throw RoPEError(.shapeMismatch, field: "keys",
                            "keys leading axes \(keyGeometry.leadingShape) must equal the queries leading axes "
                                + "\(queryGeometry.leadingShape)")
        }
        let scale = options.scale ?? 1 / Double(queryGeometry.featureCount).squareRoot()
        guard scale.isFinite else {
            throw RoPEError(.invalidParameter, field: "scale", "scale (\(scale)) must be a finite number")
        }
        let queryField = queryPositions.reportedField("query_positions", multiAxis: "query_mrope_positions")
        let keyField = keyPositions.reportedField("key_positions", multiAxis: "key_mrope_positions")
        let queryPositionList = try ResolvedPositions(queryPositions, offset: 0, geometry: queryGeometry,
                                                      field: queryField)
        let keyPositionList = try ResolvedPositions(keyPositions, offset: 0, geometry: keyGeometry, field: keyField)
        let rows = queryGeometry.rowCount
        let sq = queryGeometry.sequenceLength
        let sk = keyGeometry.sequenceLength
        let (queryScores, overflowQ) = rows.multipliedReportingOverflow(by: sq)
        let (scoreCount, overflowK) = queryScores.multipliedReportingOverflow(by: sk)
        guard !overflowQ, !overflowK, scoreCount <= AttentionScores.maximumScoreCount else {
            throw RoPEError(.limitExceeded, field: "keys",
                            "the score tensor (\(rows) rows of \(sq) x \(sk)) would exceed "
                                + "\(AttentionScores.maximumScoreCount) entries")
        }

        let rotatedQueries: [Float]
        let rotatedKeys: [Float]
        if let parameters {
            let maximumPosition = [queryPositionList.maximum, keyPositionList.maximum].compactMap { $0 }.max()
            let table = try frequencyTables.table(
                parameters: parameters, headDimension: queryGeometry.featureCount,
                sequenceLength: ResolvedPositions.scalingSequenceLength(maximumPosition: maximumPosition))
            try queryPositionList.requireAxes(matching: table, field: queryField)
            try keyPositionList.requireAxes(matching: table, field: keyField)
            // One table for both (its sequence length spans q and k), so each is rotated by the driver directly.
            let parallel = queries.values.count + keys.values.count >= AttentionScores.parallelThreshold
            rotatedQueries = rotatedCopy(queries.values, geometry: queryGeometry, positions: queryPositionList,
                                         table: table, layout: parameters.layout, parallel: parallel)
            rotatedKeys = rotatedCopy(keys.values, geometry: keyGeometry, positions: keyPositionList,
                                      table: table, layout: parameters.layout, parallel: parallel)
        } else {
            rotatedQueries = queries.values
            rotatedKeys = keys.values
        }

        var scores = [Float](repeating: 0, count: scoreCount)
        let d = queryGeometry.featureCount
        let options = options
        let (work, workOverflow) = scoreCount.multipliedReportingOverflow(by: d)
        rotatedQueries.withUnsafeBufferPointer { queryBuffer in
            rotatedKeys.withUnsafeBufferPointer { keyBuffer in
                scores.withUnsafeMutableBufferPointer { scoreBuffer in
                    guard let scoreBase = scoreBuffer.baseAddress, let queryBase = queryBuffer.baseAddress,
                          let keyBase = keyBuffer.baseAddress
                    else { return }
                    let pointers = UncheckedSendable(wrapped: (scores: scoreBase, queries: queryBase, keys: keyBase))
                    // One unit of work is one query row: s_k dot products of length d, then mask and softmax.
                    let parallel = workOverflow || work >= AttentionScores.parallelThreshold
                    ParallelChunks.run(count: queryScores, parallel: parallel) { queryRows in
                        let logits = UnsafeMutablePointer<Double>.allocate(capacity: max(sk, 1))
                        defer { logits.deallocate() }
                        for queryRow in queryRows {
                            let row = queryRow / sq
                            let queryPosition = queryPositionList.position(ofToken: queryRow)
                            let query = pointers.wrapped.queries + queryRow * d
                            // -inf marks a masked key, so an unmasked score that overflows must not become one.
                            var overflowed = false
                            for key in 0..<sk {
                                let keyToken = row * sk + key
                                if options.causal && keyPositionList.position(ofToken: keyToken) > queryPosition {
                                    logits[key] = -Double.infinity
                                    continue
                                }
                                let keyVector = pointers.wrapped.keys + keyToken * d
                                let logit = AttentionScores.dotProduct(query, keyVector, count: d) * scale
                                // Without softmax the score is stored as a Float, so it must fit in one.
                                if !(options.softmax ? logit.isFinite : Float(logit).isFinite) { overflowed = true }
                                logits[key] = logit
                            }
                            let output = pointers.wrapped.scores + queryRow * sk
                            if overflowed {
                                // NaN cannot come out of finite inputs: it flags the row for the check below.
                                for key in 0..<sk { output[key] = .nan }
                                continue
                            }
                            if options.softmax { AttentionScores.normaliseSoftmax(logits, count: sk) }
                            for key in 0..<sk { output[key] = Float(logits[key]) }
                        }
                    }
                }
            }
        }
        if scores.contains(where: \.isNaN) {
            throw RoPEError(.invalidParameter, field: "scale",
                            "the attention scores overflow float32: q.k x scale (\(scale)) is beyond "
                                + "±\(Float.greatestFiniteMagnitude)")
        }
        return Tensor(shape: queryGeometry.leadingShape + [sq, sk], values: scores)
    }

    /// `values` rotated forward by `table` into a fresh array, in one pass.
    private func rotatedCopy(_ values: [Float], geometry: TensorGeometry, positions: ResolvedPositions,
                             table: FrequencyTable, layout: RotationLayout, parallel: Bool) -> [Float] {
        [Float](unsafeUninitializedCapacity: values.count) { buffer, initialized in
            values.withUnsafeBufferPointer { source in
                guard let sourceBase = source.baseAddress, let destination = buffer.baseAddress else { return }
                Rotation.rotateValues(source: sourceBase, destination: destination, geometry: geometry,
                                      positions: positions, table: table, layout: layout, inverse: false, xpos: nil,
                                      parallel: parallel, cache: cosineSineTables)
            }
            initialized = values.count
        }
    }
}

extension AttentionScores {
    /// The dot product of two float32 vectors, accumulated in Double so the sum loses nothing beyond the inputs.
    @inline(__always)
    fileprivate static func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        // Eight independent Double lanes break the add-latency chain so the loop vectorises.
        var lanes = SIMD8<Double>()
        var index = 0
        while index + 8 <= count {
            let x = SIMD8<Double>(UnsafeRawPointer(a + index).loadUnaligned(as: SIMD8<Float>.self))
            let y = SIMD8<Double>(UnsafeRawPointer(b + index).loadUnaligned(as: SIMD8<Float>.self))
            lanes += x * y
            index += 8
        }
        var sum = lanes.sum()
        while index < count {
            sum += Double(a[index]) * Double(b[index])
            index += 1
        }
        return sum
    }

    /// Softmax over the finite entries of `logits`; masked (-inf) entries become 0, and a fully masked row stays -inf.
    fileprivate static func normaliseSoftmax(_ logits: UnsafeMutablePointer<Double>, count: Int) {
        var maximum = -Double.infinity
        for key in 0..<count { maximum = max(maximum, logits[key]) }
        guard maximum > -Double.infinity else { return }  // every key masked: the row stays -inf
        var total = 0.0
        for key in 0..<count {
            let weight = logits[key] == -Double.infinity ? 0 : exp(logits[key] - maximum)
            logits[key] = weight
            total += weight
        }
        for key in 0..<count { logits[key] /= total }
    }
}
