import Foundation

/// What the access handler does next with a request, as admission (or a step before it) decided.
enum AdmissionDecision {
    /// Go on: read the body (or answer, when there is none).
    case proceed
    /// The connection is suspended until the request is admitted or refused.
    case suspended
    /// Answer this error now.
    case refuse(HTTPError)
    /// Refused, but the body is on its way: read and drop it, answer at its end (`AdmissionPhase.discarding`).
    case discardBody
}

/// Admission to the memory budget, the step before a body is read: reserves each request's worst case from its
/// headers, suspends the connection of a request that waits for room, grows the reservation of a chunked body,
/// shrinks it once the answer is built and gives it back when the request ends. The budget itself, its queues and
/// its arithmetic are `Admission`'s (Memory/).
final class AdmissionGate: Sendable {
    let admission: Admission
    let limits: ServerLimits
    /// Bodies from this size on (and chunked ones) have their media types looked at for the estimate.
    static let mediaTypesFromBytes = 64 << 10
    /// Reservations from this size on shrink to their answer once it is built.
    static let shrinkFromBytes = 1 << 20

    init(admission: Admission, limits: ServerLimits) {
        self.admission = admission
        self.limits = limits
    }

    /// First call, with the headers: reserve, wait (suspended) or refuse.
    func headersArrived<C: RequestConnection>(_ pending: PendingRequest, connection: C) -> AdmissionDecision {
        // The liveness probe is never refused for memory: it allocates next to nothing.
        if pending.url == "/health" { return admit(pending) }
        let bodyBytes = pending.expectedLength ?? 0
        // .npy in or out lowers the estimate; below this size the worst case (JSON both ways) is charged instead of
        // parsing two headers on every small request. A body without Content-Length reads them as it first grows.
        if bodyBytes >= Self.mediaTypesFromBytes { readMediaTypes(pending, connection: connection) }
        let bytes = estimate(pending, bodyBytes: bodyBytes)
        switch admission.admitNow(bytes) {
        case .success:
            pending.admission.reservedBytes = bytes
            pending.admission.reservedBodyBytes = bodyBytes
            return admit(pending)
        case .failure(let error):
            return refuse(pending, error, connection: connection)
        case nil:
            let waiter = Admission.Waiter(bytes: bytes) { connection.resume() }
            pending.admission.phase = .waiting(waiter)
            pending.admission.reservedBodyBytes = bodyBytes
            connection.suspend()   // before it is queued: only a suspended connection may be resumed
            admission.enqueue(waiter)
            return .suspended
        }
    }

    /// Admits the request (its reservation already recorded): the body is read into room for its declared length.
    private func admit(_ pending: PendingRequest) -> AdmissionDecision {
        pending.admission.phase = .admitted
        pending.allocateDeclaredBody()
        return .proceed
    }

    /// Reads the body's media type and whether the answer will be .npy, which change the estimate.
    private func readMediaTypes<C: RequestConnection>(_ pending: PendingRequest, connection: C) {
        pending.admission.mediaType = connection.header("Content-Type").map {
            HTTPRequest.mediaType(ofEntry: Substring($0))
        }
        let accept = connection.header("Accept")
        pending.admission.answersNPY = ResponseFormat(negotiating: accept, offered: [.json, .npy]) == .npy
    }

    /// First call again, after the connection was resumed: the outcome of the wait.
    private func resumed<C: RequestConnection>(_ pending: PendingRequest, connection: C) -> AdmissionDecision {
        guard case .waiting(let waiter) = pending.admission.phase, let outcome = waiter.outcome else {
            return .suspended
        }
        switch outcome {
        case .admitted:
            pending.admission.reservedBytes = waiter.bytes
            return admit(pending)
        case .refused(let error):
            return refuse(pending, error, connection: connection)
        }
    }

    /// A later call while the request is not admitted: waiting for room (the connection was resumed) or refused
    /// with its body being dropped. Nil once it is admitted (the chunk is the body's); else what to do, and whether
    /// `chunk` bytes were dropped (the caller tells the library they were consumed).
    func continuing<C: RequestConnection>(_ pending: PendingRequest, chunk: Int,
                                          connection: C) -> (decision: AdmissionDecision, dropsChunk: Bool)? {
        switch pending.admission.phase {
        case .waiting:
            return (resumed(pending, connection: connection), false)
        case .discarding, .drainQueued:
            return (discard(pending, count: chunk), true)
        case .undecided, .admitted:
            return nil
        }
    }

    /// A body chunk was stored: a chunked (or longer than declared) body grows its reservation, without waiting.
    /// When the budget has no room for it (503, or 413 when it never could have), the request is refused and the
    /// rest of its body discarded.
    func bodyGrew<C: RequestConnection>(_ pending: PendingRequest, connection: C) {
        guard pending.count > pending.admission.reservedBodyBytes else { return }
        if pending.expectedLength == nil && pending.admission.reservedBodyBytes == 0 {
            readMediaTypes(pending, connection: connection)   // the first chunk of a body without Content-Length
        }
        // Reserve ahead (double the body) so that a streaming body takes the lock a few times, not per chunk.
        let body = min(max(pending.count, pending.admission.reservedBodyBytes * 2), limits.maxBodyBytes)
        let wanted = estimate(pending, bodyBytes: body)
        if let error = admission.grow(from: pending.admission.reservedBytes, to: wanted) {
            _ = startDiscarding(pending, error, connection: connection, atHeaders: false)
            return
        }
        pending.admission.reservedBytes = wanted
        pending.admission.reservedBodyBytes = body
    }

    /// Drops a chunk of a refused request's body (`count` 0: the body is complete). The refusal is answered at the
    /// body's end, or at once when the discard bound (`max_body_bytes`, `connection_timeout`) is reached.
    private func discard(_ pending: PendingRequest, count: Int) -> AdmissionDecision {
        if case .drainQueued(let error, _, let atHeaders) = pending.admission.phase {
            // Resumed with a drain slot: the headers call again (nothing to drop yet), or the next chunk.
            beginDiscarding(pending, error)
            if atHeaders && count == 0 { return .discardBody }
        }
        guard case .discarding(let error, let deadline, let discarded) = pending.admission.phase else {
            return .proceed
        }
        let total = discarded.saturatingAdd(count)
        pending.admission.phase = .discarding(error, deadline: deadline, discarded: total)
        let bodyEnded = count == 0
        let boundReached = total > limits.maxBodyBytes || ContinuousClock.now > deadline
        return bodyEnded || boundReached ? .refuse(error) : .discardBody
    }

    /// The answer is built: the body is freed and a large reservation shrinks to the answer, which may wait long for
    /// a slow client (a small one is simply given back when the request ends).
    func responded(_ pending: PendingRequest, responseBytes: Int) {
        // Reservation first, then the free: when that ends a burst, the free already gives memory back.
        if pending.admission.reservedBytes >= Self.shrinkFromBytes, !pending.admission.reservationIsAnswer {
            let kept = min(pending.admission.reservedBytes,
                           RequestMemoryEstimate.baseBytes.saturatingAdd(responseBytes))
            admission.settle(from: pending.admission.reservedBytes, keeping: kept)
            pending.admission.reservedBytes = kept
            pending.admission.reservationIsAnswer = true
        }
        pending.releaseBody()
    }

    /// The request is over (answered, timed out or the client left): its reservation is given back.
    func completed(_ pending: PendingRequest) {
        admission.release(pending.admission.reservedBytes, answer: pending.admission.reservationIsAnswer)
        pending.admission.reservedBytes = 0
        if case .drainQueued(_, let waiter, _) = pending.admission.phase, waiter.outcome != nil {
            // Granted, then ended before it could start (the server stopped).
            pending.admission.holdsDrainSlot = true
        }
        if pending.admission.holdsDrainSlot {
            pending.admission.holdsDrainSlot = false
            admission.endDrain()
        }
    }

    /// A handler needs `bytes` more than the worst case its headers showed (tables whose size the body or query
    /// sets); granted only when they fit now (503 `overloaded`), and never beyond what one request may hold (413).
    func reserveMore(_ pending: PendingRequest, bytes: Int) throws(HTTPError) {
        let wanted = pending.admission.reservedBytes.saturatingAdd(bytes)
        if let error = admission.grow(from: pending.admission.reservedBytes, to: wanted) { throw error }
        pending.admission.reservedBytes = wanted
    }

    private func estimate(_ pending: PendingRequest, bodyBytes: Int) -> Int {
        RequestMemoryEstimate(method: pending.method, path: pending.path, bodyBytes: bodyBytes,
                              mediaType: pending.admission.mediaType, answersNPY: pending.admission.answersNPY,
                              limits: limits).bytes
    }

    /// Answers at once when no body follows or the client waits for `100 Continue` (it has not sent its body);
    /// otherwise the body is read and dropped first, so a client that writes its whole body before it reads gets
    /// the answer instead of a reset.
    private func refuse<C: RequestConnection>(_ pending: PendingRequest, _ error: HTTPError,
                                              connection: C) -> AdmissionDecision {
        let chunked = connection.header("Transfer-Encoding")?.lowercased().contains("chunked") ?? false
        let bodyFollows = (pending.expectedLength ?? 0) > 0 || chunked
        let waitsForContinue = connection.header("Expect")?.lowercased() == "100-continue"
        guard bodyFollows, !waitsForContinue else { return .refuse(error) }
        return startDiscarding(pending, error, connection: connection, atHeaders: true)
    }

    /// Gives back the request's memory and drops the rest of its body: now when a drain slot is free, else once one
    /// is (its connection suspended meanwhile).
    private func startDiscarding<C: RequestConnection>(_ pending: PendingRequest, _ error: HTTPError, connection: C,
                                                       atHeaders: Bool) -> AdmissionDecision {
        admission.release(pending.admission.reservedBytes)
        pending.admission.reservedBytes = 0
        pending.releaseBody()
        if admission.takeDrainSlot() {
            beginDiscarding(pending, error)
            return .discardBody
        }
        let waiter = Admission.Waiter(bytes: 0) { connection.resume() }
        pending.admission.phase = .drainQueued(error, waiter, atHeaders: atHeaders)
        connection.suspend()   // before it is queued: only a suspended connection may be resumed
        admission.queueForDrainSlot(waiter)
        return .suspended
    }

    /// With a drain slot held: drop the body from here, up to `max_body_bytes` and `connection_timeout`.
    private func beginDiscarding(_ pending: PendingRequest, _ error: HTTPError) {
        pending.admission.holdsDrainSlot = true
        let deadline = ContinuousClock.now + .seconds(limits.connectionTimeoutSeconds)
        pending.admission.phase = .discarding(error, deadline: deadline, discarded: pending.count)
    }
}
