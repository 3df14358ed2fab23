#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import Synchronization

/// The inner loop of RoPE: rotates the r/2 pairs of tokens' features by given (cos, sin) coefficients.
///
/// For each pair (x, y): `x' = x cos - y sin`, `y' = x sin + y cos` in Float (RoFormer, Su et al. 2021, eq. 34);
/// features r..<d are copied unchanged.
/// Two implementations compute the same products and sums in the same order, so they are bitwise equal: the scalar
/// reference, and the SIMD one the engine uses (8 lanes; separate multiply and add, never a fused multiply-add).
/// Both read `source` and write `destination` (which may be the same memory), so the engine makes one pass over
/// the tensor, the traffic of a memcpy.
public enum RotationKernel {
    /// Which implementation rotates the pairs.
    public enum Implementation: Sendable, CaseIterable {
        /// One pair at a time: the reference.
        case scalar
        /// Eight features per instruction; bitwise equal to `scalar`.
        case simd
        /// `simd` with non-temporal (streaming) stores of the rotated features: the output goes to memory without
        /// first being read into the caches, so a rotation into a separate buffer much larger than the caches moves
        /// two bytes per byte of tensor (read the input, write the output) instead of three (the destination's
        /// read for ownership as well). Rows whose output is not 16-byte aligned use `simd`'s stores. x86-64
        /// only (`movntps`); elsewhere the same as `simd`. Bitwise equal to `scalar`.
        case simdNonTemporal
    }

    /// Output size from which the engine rotates into a separate buffer with `simdNonTemporal`: well past the
    /// caches, where the destination's read for ownership is memory traffic. Below it the output is better left
    /// in the caches (the JSON writer or the attention scores read it next). Measurements: BENCHMARKS.md.
    public static let nonTemporalThresholdBytes = 16 << 20

    /// Rotates `tokens` (token t starts at `t * featureCount` in both buffers) with the coefficients of table row
    /// `t % tableRows`, each row `rotaryDimension / 2` cosines (and as many sines) long.
    ///
    /// `featureCount` d and `rotaryDimension` r are even with r <= d; pass-through features r..<d are copied.
    public static func rotate(tokens: Range<Int>, source: UnsafePointer<Float>,
                              destination: UnsafeMutablePointer<Float>, featureCount d: Int, rotaryDimension r: Int,
                              layout: RotationLayout,
                              cosines: UnsafePointer<Float>, sines: UnsafePointer<Float>, tableRows: Int,
                              implementation: Implementation = .simd)
    {
        let pairCount = r / 2
        // Streaming stores need 16-byte aligned addresses: every row's, and (half layout) the second half's.
        let streams = implementation == .simdNonTemporal && canStream
            && Int(bitPattern: destination) % 16 == 0 && d % 4 == 0 && pairCount % 4 == 0
        var tableRow = tokens.lowerBound % tableRows
        for token in tokens {
            let input = source + token * d
            let output = destination + token * d
            let cosine = cosines + tableRow * pairCount
            let sine = sines + tableRow * pairCount
            switch (implementation, layout) {
            case (.simd, .half), (.simdNonTemporal, .half):
                rotateHalfSIMD(input, output, cosine, sine, pairCount, nonTemporal: streams)
            case (.simd, .interleaved), (.simdNonTemporal, .interleaved):
                rotateInterleavedSIMD(input, output, cosine, sine, pairCount, nonTemporal: streams)
            case (.scalar, _): rotateScalar(input, output, cosine, sine, pairCount, layout)
            }
            if r < d && input != UnsafePointer(output) {
                (output + r).update(from: input + r, count: d - r)
            }
            tableRow += 1
            if tableRow == tableRows { tableRow = 0 }
        }
        if streams {
            // Streaming stores are weakly ordered: fence them before another thread (the caller's, after
            // concurrentPerform) reads the output.
            atomicMemoryFence(ordering: .sequentiallyConsistent)
        }
    }

    /// Whether this build has streaming stores (x86-64).
    private static var canStream: Bool {
        #if arch(x86_64)
        true
        #else
        false
        #endif
    }

    /// Stores `value` at `pointer`, 16-byte aligned when `nonTemporal`: then with two `movntps` on x86-64.
    @inline(__always)
    private static func store(_ value: SIMD8<Float>, at pointer: UnsafeMutableRawPointer, nonTemporal: Bool) {
        #if arch(x86_64)
        if nonTemporal {
            let floats = pointer.assumingMemoryBound(to: Float.self)
            _mm_stream_ps(floats, value.lowHalf)
            _mm_stream_ps(floats + 4, value.highHalf)
            return
        }
        #endif
        pointer.storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// The reference: one pair at a time.
    @inline(__always)
    static func rotateScalar(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                             _ cosine: UnsafePointer<Float>, _ sine: UnsafePointer<Float>, _ pairCount: Int,
                             _ layout: RotationLayout)
    {
        switch layout {
        case .half:
            for j in 0..<pairCount {
                let x = input[j], y = input[j + pairCount]
                let c = cosine[j], s = sine[j]
                output[j] = x * c - y * s
                output[j + pairCount] = x * s + y * c
            }
        case .interleaved:
            for j in 0..<pairCount {
                let x = input[2 * j], y = input[2 * j + 1]
                let c = cosine[j], s = sine[j]
                output[2 * j] = x * c - y * s
                output[2 * j + 1] = x * s + y * c
            }
        }
    }

    /// Half layout: x = features[j], y = features[j + r/2]; eight pairs per step, scalar tail.
    @inline(__always)
    static func rotateHalfSIMD(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                               _ cosine: UnsafePointer<Float>, _ sine: UnsafePointer<Float>, _ pairCount: Int,
                               nonTemporal: Bool)
    {
        let x0 = UnsafeRawPointer(input), y0 = UnsafeRawPointer(input + pairCount)
        let xOut = UnsafeMutableRawPointer(output), yOut = UnsafeMutableRawPointer(output + pairCount)
        let c0 = UnsafeRawPointer(cosine), s0 = UnsafeRawPointer(sine)
        var j = 0
        while j + 8 <= pairCount {
            let offset = j * 4
            let x = x0.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let y = y0.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let c = c0.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let s = s0.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            // Both loads happen before either store, so source == destination is fine.
            store(x * c - y * s, at: xOut + offset, nonTemporal: nonTemporal)
            store(x * s + y * c, at: yOut + offset, nonTemporal: nonTemporal)
            j += 8
        }
        while j < pairCount {
            let x = input[j], y = input[j + pairCount]
            let c = cosine[j], s = sine[j]
            output[j] = x * c - y * s
            output[j + pairCount] = x * s + y * c
            j += 1
        }
    }

    /// Interleaved layout: pairs (2j, 2j+1); four pairs (eight features) per step, scalar tail.
    ///
    /// With v = (x0, y0, x1, y1, ...), c2 = (c0, c0, c1, c1, ...) and signed s2 = (-s0, s0, -s1, s1, ...):
    /// v * c2 + swap(v) * s2 gives x c + y (-s) = x c - y s (negation is exact) and y c + x s = x s + y c.
    @inline(__always)
    static func rotateInterleavedSIMD(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                                      _ cosine: UnsafePointer<Float>, _ sine: UnsafePointer<Float>, _ pairCount: Int,
                                      nonTemporal: Bool)
    {
        let source = UnsafeRawPointer(input), target = UnsafeMutableRawPointer(output)
        let c0 = UnsafeRawPointer(cosine), s0 = UnsafeRawPointer(sine)
        let signs = SIMD8<Float>(-1, 1, -1, 1, -1, 1, -1, 1)
        var j = 0
        while j + 4 <= pairCount {
            let v = source.loadUnaligned(fromByteOffset: j * 8, as: SIMD8<Float>.self)
            let c = c0.loadUnaligned(fromByteOffset: j * 4, as: SIMD4<Float>.self)
            let s = s0.loadUnaligned(fromByteOffset: j * 4, as: SIMD4<Float>.self)
            let c2 = SIMD8<Float>(c[0], c[0], c[1], c[1], c[2], c[2], c[3], c[3])
            let s2 = SIMD8<Float>(s[0], s[0], s[1], s[1], s[2], s[2], s[3], s[3]) * signs
            let swapped = SIMD8<Float>(v[1], v[0], v[3], v[2], v[5], v[4], v[7], v[6])
            store(v * c2 + swapped * s2, at: target + j * 8, nonTemporal: nonTemporal)
            j += 4
        }
        while j < pairCount {
            let x = input[2 * j], y = input[2 * j + 1]
            let c = cosine[j], s = sine[j]
            output[2 * j] = x * c - y * s
            output[2 * j + 1] = x * s + y * c
            j += 1
        }
    }
}
