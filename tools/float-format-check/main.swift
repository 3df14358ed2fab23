// Every float32 bit pattern through both formatters, split over threads; prints the first differences and the
// counts, and exits 1 if any output differs.
import Dispatch
import Foundation
import Reference
import Candidate

/// Writes a line to standard output unbuffered, so differences show as found, also through a pipe.
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let threads = max(1, Int(CommandLine.arguments.dropFirst().first ?? "") ?? ProcessInfo.processInfo.activeProcessorCount)
let started = Date()
nonisolated(unsafe) var compared = [Int](repeating: 0, count: threads)
nonisolated(unsafe) var differing = [Int](repeating: 0, count: threads)
let printLock = NSLock()

DispatchQueue.concurrentPerform(iterations: threads) { thread in
    let reference = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
    let candidate = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
    var count = 0, differences = 0
    // Thread t takes the bit patterns whose top 16 bits are t, t + threads, ...
    var high = thread
    while high < 65_536 {
        for low in 0..<65_536 {
            let bits = UInt32(high) << 16 | UInt32(low)
            let value = Float(bitPattern: bits)
            let referenceLength = Reference.formatFloat(value, to: reference)
            let candidateLength = Candidate.formatFloat(value, to: candidate)
            count += 1
            if referenceLength != candidateLength || memcmp(reference, candidate, referenceLength) != 0 {
                differences += 1
                if differences <= 10 {
                    let old = String(decoding: UnsafeBufferPointer(start: reference, count: referenceLength),
                                     as: UTF8.self)
                    let new = String(decoding: UnsafeBufferPointer(start: candidate, count: candidateLength),
                                     as: UTF8.self)
                    printLock.lock()
                    report("0x\(String(bits, radix: 16)): reference \(old), candidate \(new)")
                    printLock.unlock()
                }
            }
        }
        high += threads
    }
    compared[thread] = count
    differing[thread] = differences
}

let total = differing.reduce(0, +)
let elapsedSeconds = Int(Date().timeIntervalSince(started))
report("compared \(compared.reduce(0, +)) bit patterns (all 2^32), \(total) differ, \(elapsedSeconds) s")
exit(total == 0 ? 0 : 1)
