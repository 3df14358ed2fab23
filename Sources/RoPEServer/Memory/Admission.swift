import Dispatch
import Synchronization

/// The step before a request's body is read: it reserves the request's worst case (`RequestMemoryEstimate`) in the
/// memory budget (`MemoryLedger`), lets it wait a bounded time when the budget is full, and refuses it otherwise.
///
/// Waiting requests are suspended connections (their worker thread serves other connections meanwhile), queued
/// first-in first-out per class: small requests are served from their own queue first and never wait behind large
/// ones. A waiter is resumed when it is admitted, when its wait (`admission_wait_ms`) ends, or when the server
/// stops. When the reserved bytes fall back near zero after a burst, the allocator gives memory back
/// (`HeapRetention`).
final class Admission: Sendable {
    /// The outcome of a request's wait, read by the access handler once the connection is resumed.
    enum Outcome: Sendable {
        case admitted
        case refused(HTTPError)
    }

    /// One waiting request; `resume` restarts its connection.
    final class Waiter: Sendable {
        let bytes: Int
        let resume: @Sendable () -> Void
        /// Set (under the admission's lock) when the wait ends.
        fileprivate let outcomeSlot = Mutex<Outcome?>(nil)

        init(bytes: Int, resume: @escaping @Sendable () -> Void) {
            self.bytes = bytes
            self.resume = resume
        }

        /// Nil while waiting.
        var outcome: Outcome? { outcomeSlot.withLock { $0 } }
    }

    private struct State {
        var ledger: MemoryLedger
        var retention: HeapRetention
        var small: [Waiter] = []
        var large: [Waiter] = []
        var stopping = false
        /// Refused bodies being read and dropped, and the refused requests waiting to start.
        var draining = 0
        var drainQueue: [Waiter] = []
    }

    /// How many refused bodies are read and dropped at once. Each turn of a worker thread reads from every
    /// draining connection; hundreds at once made a turn, and so a probe's answer, take a hundred milliseconds.
    static let drainSlots = 8

    private let state: Mutex<State>
    private let wait: Duration
    private let metrics: Metrics
    private let timers = DispatchQueue(label: "rope-server.admission-timers")

    /// Called (outside the lock) when a burst is over and retention was switched off.
    private let onBurstOver: @Sendable () -> Void

    init(budget: InflightBudget, waitMilliseconds: Int, metrics: Metrics,
         onBurstOver: @escaping @Sendable () -> Void = {}) {
        self.onBurstOver = onBurstOver
        let ledger = MemoryLedger(capacity: budget.bytes)
        let retention = HeapRetention(highWater: ledger.headroom, lowWater: ledger.smallRequestBytes,
                                      largeRequestBytes: HeavyRequestPool.thresholdBytes)
        state = Mutex(State(ledger: ledger, retention: retention))
        wait = .milliseconds(waitMilliseconds)
        self.metrics = metrics
        metrics.memoryBudgetSet(budget.bytes)
    }

    /// Whether a request that does not fit now may wait for room.
    var allowsWaiting: Bool { wait > .zero }

    /// Reserves `bytes` when they fit now and no request of the same class waits; else nil when the request may
    /// wait, or the error to answer when it may not (it can never fit, waiting is off, or the server is stopping).
    func admitNow(_ bytes: Int) -> Result<Void, HTTPError>? {
        state.withLock { state in
            if state.stopping {
                return .failure(.unavailable("the server is shutting down; retry on another instance"))
            }
            guard state.ledger.canEverAdmit(bytes) else { return .failure(neverFits(bytes, state.ledger)) }
            let queueEmpty = state.ledger.isSmall(bytes) ? state.small.isEmpty : state.large.isEmpty
            if queueEmpty, state.ledger.reserve(bytes) {
                retainIfLarge(bytes, &state)
                metrics.memoryReservedSet(state.ledger.reserved)
                return .success(())
            }
            return allowsWaiting ? nil : .failure(overloaded(bytes, state.ledger))
        }
    }

    /// Queues a request whose connection is suspended already; `waiter.resume` runs once its outcome is set (at
    /// once when room appeared meanwhile).
    func enqueue(_ waiter: Waiter) {
        let admitted: [Waiter] = state.withLock { state in
            if state.stopping {
                waiter.outcomeSlot.withLock { $0 = .refused(.unavailable("the server is shutting down")) }
                return [waiter]
            }
            if state.ledger.isSmall(waiter.bytes) { state.small.append(waiter) } else { state.large.append(waiter) }
            return admitWaiting(&state)
        }
        metrics.admissionWaitingChanged(by: 1)
        finish(admitted)
        timers.asyncAfter(deadline: .now() + .nanoseconds(Int(wait.components.seconds) * 1_000_000_000
                                                            + Int(wait.components.attoseconds / 1_000_000_000))) {
            [self] in expire(waiter)
        }
    }

    /// Grows a reservation from `current` to `wanted` bytes when that fits now; else the error to answer: 413 when
    /// `wanted` exceeds what one request may ever hold, 503 `overloaded` when the budget is in use.
    func grow(from current: Int, to wanted: Int) -> HTTPError? {
        state.withLock { state in
            guard state.ledger.canEverAdmit(wanted) else { return neverFits(wanted, state.ledger) }
            guard state.ledger.grow(from: current, to: wanted) else { return overloaded(wanted, state.ledger) }
            retainIfLarge(wanted, &state)
            metrics.memoryReservedSet(state.ledger.reserved)
            return nil
        }
    }

    /// Gives back `bytes` (`answer`: bytes `settle` kept for an answer), admits the waiters that now fit, and
    /// gives memory back to the system when that ends a burst.
    func release(_ bytes: Int, answer: Bool = false) {
        guard bytes > 0 else { return }
        afterRelease { $0.release(bytes, answer: answer) }
    }

    /// A request's answer is built: of its `current` bytes it keeps `kept` until the answer is sent.
    func settle(from current: Int, keeping kept: Int) {
        afterRelease { $0.settle(current, keeping: kept) }
    }

    private func afterRelease(_ change: (inout MemoryLedger) -> Void) {
        let (admitted, burstOver) = state.withLock { state in
            change(&state.ledger)
            let admitted = admitWaiting(&state)
            let burstOver = state.retention.released(reserved: state.ledger.working, peak: state.ledger.peak)
            if burstOver {
                // Under the lock, so that a large request admitted next switches retention on after this; before
                // the caller frees the request's buffers, so that those frees give their arenas back.
                AllocatorTuning.retainFreedMemory(false)
                state.ledger.resetPeak()
            }
            return (admitted, burstOver)
        }
        finish(admitted)
        if burstOver {
            onBurstOver()
            DispatchQueue.global(qos: .utility).async { AllocatorTuning.returnFreeMemory() }
        }
    }

    /// Takes a drain slot for a refused body when one is free.
    func takeDrainSlot() -> Bool {
        state.withLock { state in
            guard state.draining < Self.drainSlots else { return false }
            state.draining += 1
            return true
        }
    }

    /// Queues a refused request whose connection is suspended already until a drain slot is free; `waiter.resume`
    /// runs once it holds one (at once when one was freed meanwhile).
    func queueForDrainSlot(_ waiter: Waiter) {
        let granted: [Waiter] = state.withLock { state in
            state.drainQueue.append(waiter)
            return grantDrainSlots(&state)
        }
        for waiter in granted { waiter.resume() }
    }

    /// Gives back a drain slot, to the next queued request if any.
    func endDrain() {
        let granted: [Waiter] = state.withLock { state in
            state.draining = max(0, state.draining - 1)
            return grantDrainSlots(&state)
        }
        for waiter in granted { waiter.resume() }
    }

    private func grantDrainSlots(_ state: inout State) -> [Waiter] {
        var granted: [Waiter] = []
        while !state.drainQueue.isEmpty, state.draining < Self.drainSlots || state.stopping {
            let waiter = state.drainQueue.removeFirst()
            state.draining += 1
            waiter.outcomeSlot.withLock { $0 = .admitted }
            granted.append(waiter)
        }
        return granted
    }

    /// Refuses every waiter and every later request, and lets every queued drain start; called before the daemon
    /// stops (no connection may stay suspended then).
    func stop() {
        let (waiters, drains): ([Waiter], [Waiter]) = state.withLock { state in
            state.stopping = true
            defer { state.small.removeAll(); state.large.removeAll() }
            let all = state.small + state.large
            for waiter in all {
                waiter.outcomeSlot.withLock { $0 = .refused(.unavailable("the server is shutting down")) }
            }
            return (all, grantDrainSlots(&state))
        }
        for waiter in waiters {
            metrics.admissionWaitingChanged(by: -1)
            waiter.resume()
        }
        for waiter in drains { waiter.resume() }
    }

    /// Bytes reserved right now.
    var reservedBytes: Int { state.withLock { $0.ledger.reserved } }

    private func expire(_ waiter: Waiter) {
        let expired: HTTPError? = state.withLock { state in
            guard waiter.outcome == nil else { return nil }
            state.small.removeAll { $0 === waiter }
            state.large.removeAll { $0 === waiter }
            let error = overloaded(waiter.bytes, state.ledger)
            waiter.outcomeSlot.withLock { $0 = .refused(error) }
            return error
        }
        guard expired != nil else { return }
        metrics.admissionWaitingChanged(by: -1)
        waiter.resume()
    }

    /// Admits queued waiters in order while they fit: small ones first, then large ones (first in, first out;
    /// a large head that does not fit holds the large ones behind it, so none is overtaken forever).
    private func admitWaiting(_ state: inout State) -> [Waiter] {
        var admitted: [Waiter] = []
        while let head = state.small.first, state.ledger.reserve(head.bytes) {
            admitted.append(state.small.removeFirst())
        }
        while let head = state.large.first, state.ledger.reserve(head.bytes) {
            admitted.append(state.large.removeFirst())
            retainIfLarge(head.bytes, &state)
        }
        for waiter in admitted { waiter.outcomeSlot.withLock { $0 = .admitted } }
        metrics.memoryReservedSet(state.ledger.reserved)
        return admitted
    }

    /// Keeps freed large buffers for reuse again once a large request is admitted (`HeapRetention`).
    private func retainIfLarge(_ bytes: Int, _ state: inout State) {
        if state.retention.admitted(bytes) { AllocatorTuning.retainFreedMemory(true) }
    }

    private func finish(_ admitted: [Waiter]) {
        for waiter in admitted {
            metrics.admissionWaitingChanged(by: -1)
            waiter.resume()
        }
    }

    /// The 503 for a request refused because the budget is in use, counted in /metrics as it is made.
    private func overloaded(_ bytes: Int, _ ledger: MemoryLedger) -> HTTPError {
        metrics.refusedForMemory()
        return .overloaded("the server's memory budget for requests in flight is in use (\(ledger.reserved) of "
                    + "\(ledger.capacity) bytes reserved, max_inflight_bytes; this request needs up to \(bytes)); "
                    + "retry after Retry-After seconds")
    }

    private func neverFits(_ bytes: Int, _ ledger: MemoryLedger) -> HTTPError {
        .tooLarge("this request may need up to \(bytes) bytes while it is handled, more than the memory budget "
                  + "allows one request (\(ledger.ceiling(for: bytes)) of max_inflight_bytes \(ledger.capacity)); "
                  + "ask for less, or for .npy")
    }
}
