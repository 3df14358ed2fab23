// rope-bench: engine and codec micro-benchmarks, each compared with memcpy of the same bytes in the same run.
//
// Usage: rope-bench [--quick] [--json FILE] [--codecs-only | --mrope-only]
// Times are medians of repeated runs (the machine is shared and noisy: compare ratios, not absolute numbers).
import Dispatch
import Foundation
import RoPE
import RoPEServer
import TensorCodecs

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments.dropFirst()
let heapTuned = !arguments.contains("--no-allocator-tuning") && AllocatorTuning.keepLargeBuffersOnHeap()
print("allocator tuning (large buffers stay on the heap): \(heapTuned)")
let quick = arguments.contains("--quick")
/// `--codecs-only` skips the engine sections (for iterating on the codecs).
let codecsOnly = arguments.contains("--codecs-only")
/// `--mrope-only` runs only the M-RoPE-versus-plain comparison.
let mropeOnly = arguments.contains("--mrope-only")
let jsonOutputPath: String? = {
    guard let index = arguments.firstIndex(of: "--json"), arguments.index(after: index) < arguments.endIndex else {
        return nil
    }
    return arguments[arguments.index(after: index)]
}()

/// Seconds on the monotonic clock.
func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// The fastest run of the last `measure` call: on shared cores the least disturbed run, used for ratios.
nonisolated(unsafe) var lastMinimum = 0.0

/// The median wall time of `body` over repeated runs (after one warm-up), stopping after `budget` seconds;
/// the fastest run is left in `lastMinimum`.
func measure(minimumRuns: Int = 5, budget: Double = 1.0, _ body: () -> Void) -> Double {
    body()
    var samples: [Double] = []
    let started = now()
    while samples.count < minimumRuns || (now() - started < (quick ? budget / 4 : budget) && samples.count < 2000) {
        let start = now()
        body()
        samples.append(now() - start)
    }
    samples.sort()
    lastMinimum = samples[0]
    return samples[samples.count / 2]
}

/// The median of per-round time ratios a / min(b1, b2), running a, b1 and b2 in turn so all see the same
/// machine load (other builds on the shared cores shift absolute times by tens of percent between seconds);
/// also min(a) / min(b1, b2) over the same runs, the least disturbed run of each.
func pairedRatio(rounds: Int = 60, _ a: () -> Void, against b1: () -> Void, _ b2: () -> Void)
    -> (median: Double, minimum: Double)
{
    a(); b1(); b2()
    var ratios: [Double] = []
    var fastestA = Double.infinity, fastestB = Double.infinity
    for _ in 0..<(quick ? max(rounds / 3, 5) : rounds) {
        var start = now()
        a()
        let timeA = now() - start
        start = now()
        b1()
        let timeB1 = now() - start
        start = now()
        b2()
        let timeB = min(timeB1, now() - start)
        ratios.append(timeA / timeB)
        fastestA = min(fastestA, timeA)
        fastestB = min(fastestB, timeB)
    }
    ratios.sort()
    return (ratios[ratios.count / 2], fastestA / fastestB)
}

/// The median of per-round time ratios a / b with a and b run alternately (a first in even rounds, b first in odd
/// ones), so both see the same load and neither always runs on caches the other warmed; also min(a) / min(b).
func alternatingRatio(rounds: Int = 60, _ a: () -> Void, against b: () -> Void) -> (median: Double, minimum: Double) {
    a(); b()
    var ratios: [Double] = []
    var fastestA = Double.infinity, fastestB = Double.infinity
    for round in 0..<(quick ? max(rounds / 3, 5) : rounds) {
        var timeA = 0.0, timeB = 0.0
        for first in round % 2 == 0 ? [true, false] : [false, true] {
            let start = now()
            if first { a() } else { b() }
            if first { timeA = now() - start } else { timeB = now() - start }
        }
        ratios.append(timeA / timeB)
        fastestA = min(fastestA, timeA)
        fastestB = min(fastestB, timeB)
    }
    ratios.sort()
    return (ratios[ratios.count / 2], fastestA / fastestB)
}

/// `pairedRatio` of `work` against memcpy of the same `count` floats from `source` to `destination`, on one thread
/// and in `cores` chunks (the faster of the two each round).
func pairedAgainstMemcpy(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, count: Int,
                         _ work: () -> Void) -> (median: Double, minimum: Double) {
    nonisolated(unsafe) let pointers = (source, destination)
    return pairedRatio(work, against: {
        memcpy(pointers.1, pointers.0, count * 4)
    }, {
        DispatchQueue.concurrentPerform(iterations: cores) { chunk in
            let start = count * chunk / cores, end = count * (chunk + 1) / cores
            memcpy(pointers.1 + start * 4, pointers.0 + start * 4, (end - start) * 4)
        }
    })
}

/// Keeps the optimiser from discarding a result.
@inline(never)
func consume<T>(_ value: T) { withExtendedLifetime(value) {} }

struct Row {
    var name: String
    var seconds: Double
    var elements: Int
    var bytes: Int
    var baseline: String?
    var baselineSeconds: Double?
}


func report(_ row: Row) {

    let nsPerElement = row.seconds * 1e9 / Double(max(row.elements, 1))
    let gigabytes = Double(row.bytes) / row.seconds / 1e9
    var ratio = ""
    if let baselineSeconds = row.baselineSeconds, let baseline = row.baseline {
        ratio = String(format: "%6.2fx %@", row.seconds / baselineSeconds, baseline)
    }
    let line = "| " + row.name.padding(toLength: 44, withPad: " ", startingAt: 0)
        + String(format: " | %9.3f ms | %8.3f | %7.2f | ", row.seconds * 1e3, nsPerElement, gigabytes) + ratio + "\n"
    FileHandle.standardOutput.write(line.data(using: .utf8)!)
}

func heading(_ text: String) {
    FileHandle.standardOutput.write("""

    \(text)
    | case                                         |      time    | ns/elem  |  GB/s   | ratio
    |----------------------------------------------|--------------|----------|---------|------

    """.data(using: .utf8)!)
}

/// A pseudo-random tensor in [-1, 1) (xorshift; the values only need to be ordinary floats).
func randomValues(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [Float] {
    var state = seed
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
    }
}

let cores = ProcessInfo.processInfo.activeProcessorCount

/// The engine every benchmark rotates with (its caches warm across runs, as in the server).
let engine = Engine()

/// Rotates `tensor` into `buffer` through the engine's one entry point; returns the applied attention factor.
@discardableResult
func rotate(_ tensor: Tensor, into buffer: UnsafeMutableBufferPointer<Float>, positions: PositionGrid = .sequential,
            parameters: RoPEParameters, engine: Engine = engine) -> Double {
    tensor.values.withUnsafeBufferPointer { source in
        try! engine.rotate(source, into: buffer, shape: tensor.shape, positions: positions, offset: 0,
                           parameters: parameters, inverse: false, xpos: nil)
    }
}

/// The same engine held to one thread.
let singleThreaded = Engine(parallelThreshold: .max, frequencyTables: engine.frequencyTables,
                            cosineSineTables: engine.cosineSineTables)

/// Rotates `tensor`'s own values in place through the same entry point.
@discardableResult
func rotateInPlace(_ tensor: inout Tensor, parameters: RoPEParameters) -> Double {
    let shape = tensor.shape
    return tensor.values.withUnsafeMutableBufferPointer { values in
        try! engine.rotate(UnsafeBufferPointer(values), into: values, shape: shape, positions: .sequential,
                           offset: 0, parameters: parameters, inverse: false, xpos: nil)
    }
}

/// memcpy of `count` floats, on one thread or split in `cores` chunks like the engine.
func memcpyTime(_ source: [Float], _ destination: inout [Float], parallel: Bool) -> Double {
    let count = source.count
    return source.withUnsafeBufferPointer { input in
        destination.withUnsafeMutableBufferPointer { output in
            let pointers = (input: UnsafeRawPointer(input.baseAddress!),
                            output: UnsafeMutableRawPointer(output.baseAddress!))
            nonisolated(unsafe) let shared = pointers
            return measure {
                if parallel {
                    DispatchQueue.concurrentPerform(iterations: cores) { chunk in
                        let start = count * chunk / cores, end = count * (chunk + 1) / cores
                        memcpy(shared.output + start * 4, shared.input + start * 4, (end - start) * 4)
                    }
                } else {
                    memcpy(shared.output, shared.input, count * 4)
                }
            }
        }
    }
}

// MARK: engine

var summary: [String: Double] = [:]

for shape in codecsOnly || mropeOnly ? [] : [[2048, 128], [32, 2048, 128]] {
    let count = shape.reduce(1, *)
    let bytesMoved = 2 * count * 4  // read and write
    let tensor = Tensor(shape: shape, values: randomValues(count))
    var output = [Float](repeating: 0, count: count)
    let label = shape.map(String.init).joined(separator: "x")
    heading("Engine \(label) float32 (\(count * 4 / 1000) kB), \(cores) cores; GB/s counts bytes read + written")
    let copyOne = memcpyTime(tensor.values, &output, parallel: false)
    let copyAll = memcpyTime(tensor.values, &output, parallel: true)
    report(Row(name: "memcpy, 1 thread", seconds: copyOne, elements: count, bytes: bytesMoved))
    report(Row(name: "memcpy, \(cores) chunks", seconds: copyAll, elements: count, bytes: bytesMoved,
               baseline: "memcpy 1 thread", baselineSeconds: copyOne))
    summary["memcpy_1t_\(label)"] = copyOne
    summary["memcpy_par_\(label)"] = copyAll
    let bestCopy = min(copyOne, copyAll)
    for layout in RotationLayout.allCases {
        var parameters = RoPEParameters()
        parameters.layout = layout
        let engineTime = output.withUnsafeMutableBufferPointer { buffer in
            measure {
                rotate(tensor, into: buffer, positions: .sequential, parameters: parameters)
            }
        }
        report(Row(name: "engine \(layout), table cached, into buffer", seconds: engineTime, elements: count,
                   bytes: bytesMoved, baseline: "best memcpy", baselineSeconds: bestCopy))
        summary["engine_\(layout)_\(label)"] = engineTime
        summary["engine_min_\(layout)_\(label)"] = lastMinimum
        // The same comparison with engine and memcpy interleaved, against the faster memcpy mode of each round.
        let paired = tensor.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer in
                let source = UnsafeRawPointer(input.baseAddress!)
                let destination = UnsafeMutableRawPointer(buffer.baseAddress!)
                return pairedAgainstMemcpy(from: source, to: destination, count: count) {
                    rotate(tensor, into: buffer, positions: .sequential, parameters: parameters)
                }
            }
        }
        let pairedRatios = (String(format: "%.2f", paired.median), String(format: "%.2f", paired.minimum))
        let pairedLine = "|   interleaved with memcpy (faster of 1 thread and \(cores) chunks each round): "
            + "median of pair ratios \(pairedRatios.0)x, fastest/fastest \(pairedRatios.1)x memcpy time\n"
        FileHandle.standardOutput.write(pairedLine.data(using: .utf8)!)
        summary["engine_vs_memcpy_\(layout)_\(label)"] = paired.median
        summary["engine_vs_memcpy_min_\(layout)_\(label)"] = paired.minimum
        // In place: the same rotation without a destination buffer (rotations keep every value finite).
        var inPlaceTensor = tensor
        let inPlace = measure {
            rotateInPlace(&inPlaceTensor, parameters: parameters)
        }
        report(Row(name: "engine \(layout), table cached, in place", seconds: inPlace, elements: count,
                   bytes: bytesMoved, baseline: "best memcpy", baselineSeconds: bestCopy))
        summary["engine_inplace_min_\(layout)_\(label)"] = lastMinimum
        let pairedInPlace = tensor.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer in
                let source = UnsafeRawPointer(input.baseAddress!)
                let destination = UnsafeMutableRawPointer(buffer.baseAddress!)
                return pairedAgainstMemcpy(from: source, to: destination, count: count) {
                    rotateInPlace(&inPlaceTensor, parameters: parameters)
                }
            }
        }
        let inPlaceRatios = (String(format: "%.2f", pairedInPlace.median),
                             String(format: "%.2f", pairedInPlace.minimum))
        let inPlaceLine = "|   in place, interleaved with memcpy: median of pair ratios \(inPlaceRatios.0)x, "
            + "fastest/fastest \(inPlaceRatios.1)x memcpy time\n"
        FileHandle.standardOutput.write(inPlaceLine.data(using: .utf8)!)
        summary["engine_inplace_vs_memcpy_\(layout)_\(label)"] = pairedInPlace.median
        summary["engine_inplace_vs_memcpy_min_\(layout)_\(label)"] = pairedInPlace.minimum
        let singleThread = output.withUnsafeMutableBufferPointer { buffer in
            measure {
                rotate(tensor, into: buffer, parameters: parameters, engine: singleThreaded)
            }
        }
        report(Row(name: "engine \(layout), 1 thread", seconds: singleThread, elements: count,
                   bytes: bytesMoved, baseline: "memcpy 1 thread", baselineSeconds: copyOne))
        let allocating = measure {
            consume(try! engine.rotate(tensor, positions: .sequential, offset: 0, parameters: parameters,
                                       inverse: false, xpos: nil))
        }
        report(Row(name: "engine \(layout), API (allocates output)", seconds: allocating, elements: count,
                   bytes: bytesMoved, baseline: "best memcpy", baselineSeconds: bestCopy))
        summary["engine_api_\(layout)_\(label)"] = allocating
        let cold = output.withUnsafeMutableBufferPointer { buffer in
            measure(minimumRuns: 3, budget: 0.5) {
                engine.cosineSineTables.removeAll()
                engine.frequencyTables.removeAll()
                rotate(tensor, into: buffer, positions: .sequential, parameters: parameters)
            }
        }
        report(Row(name: "engine \(layout), table rebuilt (cache miss)", seconds: cold, elements: count,
                   bytes: bytesMoved, baseline: "cached", baselineSeconds: engineTime))
        let scalar = tensor.values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer in
                let table = try! engine.cosineSineTable(parameters: parameters, headDimension: shape.last!,
                                                       positions: Array(0..<shape[shape.count - 2]))
                return table.cosines.withUnsafeBufferPointer { cosines in
                    table.sines.withUnsafeBufferPointer { sines in
                        measure {
                            RotationKernel.rotate(tokens: 0..<(count / shape.last!), source: input.baseAddress!,
                                                  destination: buffer.baseAddress!, featureCount: shape.last!,
                                                  rotaryDimension: shape.last!, layout: layout,
                                                  cosines: cosines.baseAddress!, sines: sines.baseAddress!,
                                                  tableRows: shape[shape.count - 2], implementation: .scalar)
                        }
                    }
                }
            }
        }
        report(Row(name: "kernel \(layout), scalar reference, 1 thread", seconds: scalar, elements: count,
                   bytes: bytesMoved, baseline: "memcpy 1 thread", baselineSeconds: copyOne))
    }
}

// MARK: M-RoPE

/// Qwen2-VL-style 3-axis positions for `s` tokens: 100 text tokens, a 32 x 32 image grid, then text again.
func visionLanguagePositions(_ s: Int) -> MRoPEPositions {
    var temporal: [Int] = [], height: [Int] = [], width: [Int] = []
    for token in 0..<s {
        if token < 100 {
            temporal.append(token); height.append(token); width.append(token)
        } else if token < 1124 {
            let cell = token - 100
            temporal.append(100); height.append(100 + cell / 32); width.append(100 + cell % 32)
        } else {
            let position = token - 1124 + 132
            temporal.append(position); height.append(position); width.append(position)
        }
    }
    return MRoPEPositions(temporal: temporal, height: height, width: width, isPerRow: false)
}

if !codecsOnly {
    let shape = [32, 2048, 128]
    let count = shape.reduce(1, *)
    let tensor = Tensor(shape: shape, values: randomValues(count))
    var output = [Float](repeating: 0, count: count)
    heading("M-RoPE [32, 2048, 128], mrope_section [16, 24, 24], shared 3-axis positions (text, 32 x 32 image, "
        + "text) vs plain RoPE on the same tensor, tables cached")
    var plain = RoPEParameters()
    plain.theta = 1_000_000
    var mrope = plain
    mrope.mropeSection = MRoPESection(counts: [16, 24, 24])
    let grid = PositionGrid.multiAxis(visionLanguagePositions(2048))
    let bytesMoved = 2 * count * 4
    output.withUnsafeMutableBufferPointer { buffer in
        let plainTime = measure {
            rotate(tensor, into: buffer, positions: .sequential, parameters: plain)
        }
        report(Row(name: "plain RoPE, half, into buffer", seconds: plainTime, elements: count, bytes: bytesMoved))
        let mropeTime = measure {
            rotate(tensor, into: buffer, positions: grid, parameters: mrope)
        }
        report(Row(name: "M-RoPE chunked, half, into buffer", seconds: mropeTime, elements: count, bytes: bytesMoved,
                   baseline: "plain RoPE", baselineSeconds: plainTime))
        summary["plain_\(shape.map(String.init).joined(separator: "x"))"] = plainTime
        summary["mrope_32x2048x128"] = mropeTime
        let paired = alternatingRatio({
            rotate(tensor, into: buffer, positions: grid, parameters: mrope)
        }, against: {
            rotate(tensor, into: buffer, positions: .sequential, parameters: plain)
        })
        let ratios = (String(format: "%.2f", paired.median), String(format: "%.2f", paired.minimum))
        let line = "|   alternating with plain RoPE: median of pair ratios \(ratios.0)x, "
            + "fastest/fastest \(ratios.1)x plain time"
        FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
        summary["mrope_vs_plain_32x2048x128"] = paired.median
        let cold = measure(minimumRuns: 3, budget: 0.5) {
            engine.cosineSineTables.removeAll()
            rotate(tensor, into: buffer, positions: grid, parameters: mrope)
        }
        report(Row(name: "M-RoPE chunked, cos/sin table rebuilt", seconds: cold, elements: count, bytes: bytesMoved,
                   baseline: "cached", baselineSeconds: mropeTime))
    }
}

// MARK: parallel threshold

if !mropeOnly {
    heading("Parallel threshold: default RoPE, half layout, d = 128, table cached (1 thread vs \(cores) chunks)")
}
var crossover: Int?
for tokens in codecsOnly || mropeOnly ? [] : [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768] {
    let count = tokens * 128
    let tensor = Tensor(shape: [tokens, 128], values: randomValues(count))
    var output = [Float](repeating: 0, count: count)
    let times = output.withUnsafeMutableBufferPointer { buffer in
        [Int.max, 0].map { threshold in
            measure(minimumRuns: 20, budget: 0.3) {
                rotate(tensor, into: buffer, parameters: RoPEParameters(),
                       engine: Engine(parallelThreshold: threshold, frequencyTables: engine.frequencyTables,
                                      cosineSineTables: engine.cosineSineTables))
            }
        }
    }
    report(Row(name: "\(count) elements, 1 thread", seconds: times[0], elements: count, bytes: 8 * count))
    report(Row(name: "\(count) elements, \(cores) chunks", seconds: times[1], elements: count, bytes: 8 * count,
               baseline: "1 thread", baselineSeconds: times[0]))
    if crossover == nil && times[1] < times[0] * 0.9 { crossover = count }
}
if !mropeOnly {
    FileHandle.standardOutput.write(("parallel pays off (>10% faster) from \(crossover.map(String.init) ?? "never") "
        + "elements; engine default threshold \(Engine.defaultParallelThreshold)\n").data(using: .utf8)!)
}

// MARK: codecs

func jsonBody(_ shape: [Int]) -> [UInt8] {
    var writer = JSONWriter(capacity: 1 << 20)
    writer.beginObject()
    writer.key("embeddings")
    let values = randomValues(shape.reduce(1, *), seed: 7)
    values.withUnsafeBufferPointer { writer.tensor($0, shape: shape) }
    writer.endObject()
    return writer.finish().withUnsafeBytes { Array($0) }
}

if !mropeOnly {
    heading("Codecs, [2048, 128] JSON and [32, 2048, 128] .npy; GB/s here is bytes of JSON/.npy text per second")
    let shape = [2048, 128]
    let count = shape.reduce(1, *)
    let body = jsonBody(shape)
    let read = body.withUnsafeBytes { bytes in
        measure {
            consume(try! JSONRequestReader.parse(bytes, tensorFields: ["embeddings"], limits: CodecLimits()))
        }
    }
    report(Row(name: "JSON read \(body.count / 1000) kB", seconds: read, elements: count, bytes: body.count))
    summary["json_read_MBps"] = Double(body.count) / read / 1e6
    let values = randomValues(count, seed: 7)
    var written = 0
    let write = values.withUnsafeBufferPointer { buffer in
        measure {
            var writer = JSONWriter(capacity: count * 12 + 128)
            writer.tensor(buffer, shape: shape)
            let finished = writer.finish()
            written = finished.count
        }
    }
    report(Row(name: "JSON write \(written / 1000) kB", seconds: write, elements: count, bytes: written))
    summary["json_write_MBps"] = Double(written) / write / 1e6

    let npyShape = [32, 2048, 128]
    let npyCount = npyShape.reduce(1, *)
    let npyValues = randomValues(npyCount)
    var npyBytes: [UInt8] = []
    let npyWrite = npyValues.withUnsafeBufferPointer { buffer in
        measure {
            let finished = NPYWriter.write(buffer, shape: npyShape)
            if npyBytes.isEmpty { npyBytes = finished.withUnsafeBytes { Array($0) } }
        }
    }
    var npyCopy = [Float](repeating: 0, count: npyCount)
    let copyOne = memcpyTime(npyValues, &npyCopy, parallel: false)
    report(Row(name: "memcpy \(npyCount * 4 / 1000) kB, 1 thread", seconds: copyOne, elements: npyCount,
               bytes: npyCount * 4))
    report(Row(name: ".npy write (fresh buffer)", seconds: npyWrite, elements: npyCount, bytes: npyBytes.count,
               baseline: "memcpy", baselineSeconds: copyOne))
    let npyRead = npyBytes.withUnsafeBytes { bytes in
        measure {
            consume(try! NPYReader.read(bytes, field: "embeddings", limits: CodecLimits()))
        }
    }
    report(Row(name: ".npy read (validates finite)", seconds: npyRead, elements: npyCount, bytes: npyBytes.count,
               baseline: "memcpy", baselineSeconds: copyOne))
    summary["npy_read_MBps"] = Double(npyBytes.count) / npyRead / 1e6
    summary["npy_write_MBps"] = Double(npyBytes.count) / npyWrite / 1e6
}

if let jsonOutputPath {
    let data = try! JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .prettyPrinted])
    try! data.write(to: URL(fileURLWithPath: jsonOutputPath))
}
