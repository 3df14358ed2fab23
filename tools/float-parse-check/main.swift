// Reads float32 values written in three text forms back through JSONRequestReader and checks that each gives its
// own bit pattern again. Usage: FloatParseCheck STRIDE THREADS (bit patterns 0, STRIDE, 2 * STRIDE, ... < 2^32).
import Dispatch
import Foundation
import TensorCodecs

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
let stride = arguments.count > 1 ? UInt64(arguments[1])! : 15
let threads = arguments.count > 2 ? Int(arguments[2])! : 2
/// Bit patterns per parsed body (one body per text form).
let batchSize: UInt64 = 8192
let patternCount = ((1 << 32) + stride - 1) / stride
let batchCount = Int((patternCount + batchSize - 1) / batchSize)

/// The text forms: Swift's shortest (`Float.description`), `%.9g`, and the 17-digit Double form of the same
/// value (`Double.description`, what json.dumps writes for float32 data). Each reads back as the same float32.
let formNames = ["Float.description", "%.9g", "Double(Float).description"]

/// Appends form `form` of `value` to `body`.
func append(_ value: Float, form: Int, to body: inout [UInt8], scratch: UnsafeMutablePointer<CChar>) {
    switch form {
    case 0:
        body.append(contentsOf: value.description.utf8)
    case 1:
        let length = withVaList([Double(value)]) { vsnprintf(scratch, 64, "%.9g", $0) }
        scratch.withMemoryRebound(to: UInt8.self, capacity: 64) {
            body.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    default:
        body.append(contentsOf: Double(value).description.utf8)
    }
}

/// Counts per text form: values checked, mismatches; and the first mismatches as text.
struct Tally: Sendable {
    var checked = [0, 0, 0]
    var mismatched = [0, 0, 0]
    var examples: [String] = []
}

let lock = NSLock()
nonisolated(unsafe) var total = Tally()
nonisolated(unsafe) var nextBatch = 0
let started = Date()

DispatchQueue.concurrentPerform(iterations: threads) { _ in
    var tally = Tally()
    var body: [UInt8] = []
    var patterns: [UInt32] = []
    let scratch = UnsafeMutablePointer<CChar>.allocate(capacity: 64)
    defer { scratch.deallocate() }
    while true {
        let batch: Int = lock.withLock {
            defer { nextBatch += 1 }
            if nextBatch % 4096 == 0 {
                let seconds = Int(Date().timeIntervalSince(started))
                print("batch \(nextBatch) of \(batchCount), \(seconds) s")
            }
            return nextBatch
        }
        if batch >= batchCount { break }
        patterns.removeAll(keepingCapacity: true)
        let first = UInt64(batch) * batchSize
        for index in first..<min(first + batchSize, patternCount) {
            let pattern = UInt32(index * stride)
            if Float(bitPattern: pattern).isFinite { patterns.append(pattern) }
        }
        // A batch inside the NaN patterns has nothing to check (and an empty tensor is an error).
        if patterns.isEmpty { continue }
        for form in 0..<3 {
            body.removeAll(keepingCapacity: true)
            body.append(contentsOf: "{\"embeddings\":[".utf8)
            for (offset, pattern) in patterns.enumerated() {
                if offset > 0 { body.append(UInt8(ascii: ",")) }
                append(Float(bitPattern: pattern), form: form, to: &body, scratch: scratch)
            }
            body.append(contentsOf: "]}".utf8)
            let values: [Float]
            do {
                values = try body.withUnsafeBytes { bytes throws(CodecError) in
                    try JSONRequestReader.parse(bytes, tensorFields: ["embeddings"], limits: CodecLimits())
                }.tensors["embeddings"]!.values
            } catch {
                fatalError("batch \(batch), \(formNames[form]): \(error)")
            }
            precondition(values.count == patterns.count)
            tally.checked[form] += patterns.count
            for (value, pattern) in zip(values, patterns) where value.bitPattern != pattern {
                tally.mismatched[form] += 1
                if tally.examples.count < 10 {
                    var text: [UInt8] = []
                    append(Float(bitPattern: pattern), form: form, to: &text, scratch: scratch)
                    tally.examples.append("\(String(decoding: text, as: UTF8.self)) (\(formNames[form])): expected 0x"
                        + "\(String(pattern, radix: 16)), parsed 0x\(String(value.bitPattern, radix: 16))")
                }
            }
        }
    }
    lock.withLock {
        for form in 0..<3 {
            total.checked[form] += tally.checked[form]
            total.mismatched[form] += tally.mismatched[form]
        }
        total.examples += tally.examples
    }
}

for form in 0..<3 {
    print("\(formNames[form]): \(total.checked[form]) finite values checked, \(total.mismatched[form]) mismatches")
}
for example in total.examples.prefix(10) { print(example) }
let elapsedSeconds = Int(Date().timeIntervalSince(started))
print("stride \(stride): \(patternCount) bit patterns, \(elapsedSeconds) s on \(threads) threads")
exit(total.mismatched.reduce(0, +) == 0 ? 0 : 1)
