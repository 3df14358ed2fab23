import Foundation

/// Threads that compute the answers of large requests, so that libmicrohttpd's worker threads stay free to serve
/// every other connection (`/health` and `/metrics` answer at once while every core rotates large tensors).
///
/// A request whose worst case reaches `thresholdBytes` is handed over with its connection suspended; the pool runs
/// the router and resumes the connection, whose worker thread then queues the answer. Smaller requests are answered
/// on the worker thread as before: for them the hand-over would cost more than it frees. The pool's threads run at a
/// lower priority (nice `niceness`) than the worker threads, so that when every core computes, a worker thread
/// that wakes for a probe still gets a core at once.
final class HeavyRequestPool: Sendable {
    /// Requests whose reserved worst case reaches this many bytes are computed here.
    static let thresholdBytes = 8 << 20
    /// The pool threads' nice value, relative to the process.
    static let niceness: Int32 = 5

    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var running = 0
        var stopping = false
        /// Bumped by `giveArenasBack`; each thread touches its arena once per bump.
        var arenaGeneration = 0
    }

    private let condition = NSCondition()
    nonisolated(unsafe) private var queue = Queue()   // guarded by `condition`

    /// Starts `threads` threads.
    init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in work() }
            thread.name = "rope-heavy-\(index)"
            thread.start()
        }
    }

    /// Whether a request with `reservedBytes` reserved is computed here.
    func takes(reservedBytes: Int) -> Bool { reservedBytes >= Self.thresholdBytes }

    /// Queues `job`; false (nothing queued) once the pool is stopping.
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !queue.stopping else { return false }
        queue.jobs.append(job)
        condition.signal()
        return true
    }

    /// Asks every pool thread to give its allocator arena's free top back to the system (`AllocatorTuning`), which
    /// `malloc_trim` does not do for threads' arenas; called when a burst is over.
    func giveArenasBack() {
        condition.lock()
        queue.arenaGeneration += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Refuses new jobs, waits for the queued and running ones to finish, then ends the threads.
    func stop() {
        condition.lock()
        queue.stopping = true
        condition.broadcast()
        while !queue.jobs.isEmpty || queue.running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        #if canImport(Glibc)
        // Linux applies setpriority to one thread when given its thread id.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(currentThreadID()),
                        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) + Self.niceness)
        #endif
        var arenaGeneration = 0
        while true {
            condition.lock()
            while queue.jobs.isEmpty && !queue.stopping && queue.arenaGeneration == arenaGeneration { condition.wait() }
            if queue.arenaGeneration != arenaGeneration {
                arenaGeneration = queue.arenaGeneration
                condition.unlock()
                AllocatorTuning.giveArenaBack()
                continue
            }
            if queue.jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = queue.jobs.removeFirst()
            queue.running += 1
            condition.unlock()
            job()
            condition.lock()
            queue.running -= 1
            condition.broadcast()
            condition.unlock()
        }
    }
}

#if canImport(Glibc)
/// glibc's `pid_t gettid(void)` (not exported by the Glibc module).
@_silgen_name("gettid")
private func currentThreadID() -> Int32
#endif
