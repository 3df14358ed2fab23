import CMicroHTTPD
import Foundation

/// What the access handler does next with a request, as admission decided.
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

/// Admission to the memory budget around the router, on libmicrohttpd connections: reserves each request's worst
/// case from its headers before its body is read, suspends the connection of a request that waits for room, grows
/// the reservation of a chunked body, shrinks it once the answer is built and gives it back when the request ends.
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
    func headersArrived(_ pending: PendingRequest, connection: OpaquePointer) -> AdmissionDecision {
        // The liveness probe is never refused for memory: it allocates next to nothing.
        if pending.url == "/health" {
            pending.admission = .admitted
            pending.allocateDeclaredBody()
            return .proceed
        }
        let bodyBytes = pending.expectedLength ?? 0
        if pending.expectedLength == nil || bodyBytes >= Self.mediaTypesFromBytes {
            // .npy in or out lowers the estimate; below this size the worst case (JSON both ways) is charged instead
            // of parsing two headers on every small request.
            pending.mediaType = lookup(connection, "Content-Type").map { HTTPRequest.mediaType(ofEntry: Substring($0)) }
            let accept = lookup(connection, "Accept")
            pending.answersNPY = ResponseFormat(negotiating: accept, offered: [.json, .npy]) == .npy
        }
        let bytes = estimate(pending, bodyBytes: bodyBytes)
        switch admission.admitNow(bytes) {
        case .success:
            pending.reservedBytes = bytes
            pending.reservedBodyBytes = bodyBytes
            pending.admission = .admitted
            pending.allocateDeclaredBody()
            return .proceed
        case .failure(let error):
            return refuse(pending, error, connection: connection)
        case nil:
            let handle = ConnectionHandle(pointer: connection)
            let waiter = Admission.Waiter(bytes: bytes) { MHD_resume_connection(handle.pointer) }
            pending.admission = .waiting(waiter)
            pending.reservedBodyBytes = bodyBytes
            MHD_suspend_connection(connection)   // before it is queued: only a suspended connection may be resumed
            admission.enqueue(waiter)
            return .suspended
        }
    }

    /// First call again, after the connection was resumed: the outcome of the wait.
    func resumed(_ pending: PendingRequest, connection: OpaquePointer) -> AdmissionDecision {
        guard case .waiting(let waiter) = pending.admission, let outcome = waiter.outcome else { return .suspended }
        switch outcome {
        case .admitted:
            pending.reservedBytes = waiter.bytes
            pending.admission = .admitted
            pending.allocateDeclaredBody()
            return .proceed
        case .refused(let error):
            return refuse(pending, error, connection: connection)
        }
    }

    /// A body chunk was stored: a chunked (or longer than declared) body grows its reservation, without waiting.
    /// False when the budget has no room for it (503, or 413 when it never could have): the request is refused and
    /// the rest of its body discarded.
    func bodyGrew(_ pending: PendingRequest, connection: OpaquePointer) -> Bool {
        guard pending.count > pending.reservedBodyBytes else { return true }
        // Reserve ahead (double the body) so that a streaming body takes the lock a few times, not per chunk.
        let body = min(max(pending.count, pending.reservedBodyBytes * 2), limits.maxBodyBytes)
        let wanted = estimate(pending, bodyBytes: body)
        if let error = admission.grow(from: pending.reservedBytes, to: wanted) {
            _ = startDiscarding(pending, error, connection: connection, atHeaders: false)
            return false
        }
        pending.reservedBytes = wanted
        pending.reservedBodyBytes = body
        return true
    }

    /// Drops a chunk of a refused request's body (`count` 0: the body is complete). The refusal is answered at the
    /// body's end, or at once when the discard bound (`max_body_bytes`, `connection_timeout`) is reached.
    func discard(_ pending: PendingRequest, count: Int) -> AdmissionDecision {
        if case .drainQueued(let error, _, let atHeaders) = pending.admission {
            // Resumed with a drain slot: the headers call again (nothing to drop yet), or the next chunk.
            pending.holdsDrainSlot = true
            let deadline = ContinuousClock.now + .seconds(limits.connectionTimeoutSeconds)
            pending.admission = .discarding(error, deadline: deadline, discarded: pending.count)
            if atHeaders && count == 0 { return .discardBody }
        }
        guard case .discarding(let error, let deadline, let discarded) = pending.admission else { return .proceed }
        let total = discarded.saturatingAdd(count)
        pending.admission = .discarding(error, deadline: deadline, discarded: total)
        let bodyEnded = count == 0
        let boundReached = total > limits.maxBodyBytes || ContinuousClock.now > deadline
        return bodyEnded || boundReached ? .refuse(error) : .discardBody
    }

    /// The answer is built: the body is freed and a large reservation shrinks to the answer, which may wait long for
    /// a slow client (a small one is simply given back when the request ends).
    func responded(_ pending: PendingRequest, responseBytes: Int) {
        // Reservation first, then the free: when that ends a burst, the free already gives memory back.
        if pending.reservedBytes >= Self.shrinkFromBytes, !pending.reservationIsAnswer {
            let kept = min(pending.reservedBytes, RequestMemoryEstimate.baseBytes.saturatingAdd(responseBytes))
            admission.settle(from: pending.reservedBytes, keeping: kept)
            pending.reservedBytes = kept
            pending.reservationIsAnswer = true
        }
        pending.releaseBody()
    }

    /// The request is over (answered, timed out or the client left): its reservation is given back.
    func completed(_ pending: PendingRequest) {
        admission.release(pending.reservedBytes, answer: pending.reservationIsAnswer)
        pending.reservedBytes = 0
        if case .drainQueued(_, let waiter, _) = pending.admission, waiter.outcome != nil {
            pending.holdsDrainSlot = true   // granted, then ended before it could start (the server stopped)
        }
        if pending.holdsDrainSlot {
            pending.holdsDrainSlot = false
            admission.endDrain()
        }
    }

    /// A handler needs `bytes` more than the worst case its headers showed (tables whose size the body or query
    /// sets); granted only when they fit now (503 `overloaded`), and never beyond what one request may hold (413).
    func reserveMore(_ pending: PendingRequest, bytes: Int) throws(HTTPError) {
        let wanted = pending.reservedBytes.saturatingAdd(bytes)
        if let error = admission.grow(from: pending.reservedBytes, to: wanted) { throw error }
        pending.reservedBytes = wanted
    }

    private func estimate(_ pending: PendingRequest, bodyBytes: Int) -> Int {
        RequestMemoryEstimate(method: pending.method, path: pathOnly(pending.url), bodyBytes: bodyBytes,
                              mediaType: pending.mediaType, answersNPY: pending.answersNPY, limits: limits).bytes
    }

    /// Answers at once when no body follows or the client waits for `100 Continue` (it has not sent its body);
    /// otherwise the body is read and dropped first, so a client that writes its whole body before it reads gets
    /// the answer instead of a reset.
    private func refuse(_ pending: PendingRequest, _ error: HTTPError, connection: OpaquePointer) -> AdmissionDecision {
        let chunked = lookup(connection, "Transfer-Encoding")?.lowercased().contains("chunked") ?? false
        let bodyFollows = (pending.expectedLength ?? 0) > 0 || chunked
        let waitsForContinue = lookup(connection, "Expect")?.lowercased() == "100-continue"
        guard bodyFollows, !waitsForContinue else { return .refuse(error) }
        return startDiscarding(pending, error, connection: connection, atHeaders: true)
    }

    /// Gives back the request's memory and drops the rest of its body: now when a drain slot is free, else once one
    /// is (its connection suspended meanwhile).
    private func startDiscarding(_ pending: PendingRequest, _ error: HTTPError, connection: OpaquePointer,
                                 atHeaders: Bool) -> AdmissionDecision {
        admission.release(pending.reservedBytes)
        pending.reservedBytes = 0
        pending.releaseBody()
        if admission.takeDrainSlot() {
            pending.holdsDrainSlot = true
            let deadline = ContinuousClock.now + .seconds(limits.connectionTimeoutSeconds)
            pending.admission = .discarding(error, deadline: deadline, discarded: pending.count)
            return .discardBody
        }
        let handle = ConnectionHandle(pointer: connection)
        let waiter = Admission.Waiter(bytes: 0) { MHD_resume_connection(handle.pointer) }
        pending.admission = .drainQueued(error, waiter, atHeaders: atHeaders)
        MHD_suspend_connection(connection)   // before it is queued: only a suspended connection may be resumed
        admission.queueForDrainSlot(waiter)
        return .suspended
    }

    private func lookup(_ connection: OpaquePointer, _ name: String) -> String? {
        MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
    }

    private func pathOnly(_ url: String) -> String {
        guard let query = url.utf8.firstIndex(of: UInt8(ascii: "?")) else { return url }
        return String(url[..<query])
    }
}

/// A libmicrohttpd connection pointer, which `MHD_resume_connection` accepts from any thread.
struct ConnectionHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
