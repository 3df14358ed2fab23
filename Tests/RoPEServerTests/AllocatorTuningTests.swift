import Foundation
import Testing
import RoPE
import RoPEServer
import TensorCodecs

/// The allocator tuning the server applies, and a large .npy written then read back bit for bit under it.
/// (The JSON round trip of a large tensor needs only the codecs: TensorCodecsTests' LargeJSONRoundTripTests.)
@Suite("Allocator tuning") struct AllocatorTuningTests {
    /// Floats from random bit patterns (finite only), so every exponent and the subnormals are covered.
    static func randomBitPatterns(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        var values: [Float] = []
        values.reserveCapacity(count)
        while values.count < count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32))
            if value.isFinite { values.append(value) }
        }
        return values
    }

    /// AddressSanitizer replaces malloc, and its mallopt accepts nothing; scripts/reliability-checks sets ASAN_OPTIONS.
    static let underAddressSanitizer = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] != nil

    @Test("allocator tuning applies on glibc",
          .enabled(if: !underAddressSanitizer, "AddressSanitizer replaces malloc, so glibc's mallopt cannot be tuned"))
    func allocatorTuning() {
        #if canImport(Glibc)
        #expect(AllocatorTuning.keepLargeBuffersOnHeap())
        #endif
    }

    @Test(".npy of 8 M floats round-trips bit for bit after allocator tuning")
    func largeNPYRoundTrip() throws {
        AllocatorTuning.keepLargeBuffersOnHeap()
        let shape = [32, 2048, 128]
        let values = Self.randomBitPatterns(shape.reduce(1, *), seed: 7)
        for _ in 0..<2 {  // the second pass reuses freed heap memory
            let file = values.withUnsafeBufferPointer { values in
                NPYWriter.write(values, shape: shape).withUnsafeBytes { Array($0) }
            }
            let tensor = try file.withUnsafeBytes { try NPYReader.read($0, field: "embeddings", limits: CodecLimits()) }
            #expect(tensor.shape == shape)
            #expect(tensor.values == values)
        }
    }
}
