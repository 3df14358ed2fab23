import Dispatch
import Foundation

/// A value the compiler cannot prove Sendable (raw pointers) handed to concurrent chunks that touch disjoint memory.
struct UncheckedSendable<Wrapped>: @unchecked Sendable {
    /// The wrapped value, typically an unsafe pointer into a buffer that outlives the concurrent section.
    let wrapped: Wrapped
}

/// Splits `0..<count` into contiguous chunks, run on all cores or on the caller's thread.
enum ParallelChunks {
    /// Calls `body` for contiguous ranges covering `0..<count`: one range per active processor when `parallel`
    /// (via `DispatchQueue.concurrentPerform`), else a single range on the calling thread, so small requests
    /// pay no dispatch overhead. `body` must only write memory that belongs to its own range.
    static func run(count: Int, parallel: Bool, _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = parallel ? min(ProcessInfo.processInfo.activeProcessorCount, count) : 1
        guard chunks > 1 else {
            body(0..<count)
            return
        }
        // Divide without multiplying so that huge counts cannot overflow.
        let quotient = count / chunks
        let remainder = count % chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * quotient + min(chunk, remainder)
            let length = quotient + (chunk < remainder ? 1 : 0)
            body(start..<(start + length))
        }
    }
}
