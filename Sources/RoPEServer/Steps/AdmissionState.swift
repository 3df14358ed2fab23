/// Where one request stands in admission to the memory budget (`AdmissionGate`); kept by its `PendingRequest`.
struct AdmissionState {
    /// The phase of the request's admission.
    var phase = AdmissionPhase.undecided
    /// Bytes this request holds in the memory budget.
    var reservedBytes = 0
    /// Whether `reservedBytes` is what the built answer keeps until it is sent (`MemoryLedger.settle`).
    var reservationIsAnswer = false
    /// The body length its reservation covers (a chunked body reserves more as it grows).
    var reservedBodyBytes = 0
    /// The body's media type and whether the answer is .npy (they change what the request may need).
    var mediaType: String?
    var answersNPY = false
    /// Whether this request holds one of the drain slots (given back when it ends).
    var holdsDrainSlot = false
}

/// Where a request is in admission to the memory budget.
enum AdmissionPhase {
    /// Its headers have not been looked at yet.
    case undecided
    /// Waiting for room, its connection suspended.
    case waiting(Admission.Waiter)
    /// Its worst case is reserved; the body is read.
    case admitted
    /// Refused while its body still arrives: the body is read and dropped (up to `max_body_bytes`, until `deadline`)
    /// and the refusal answered at its end, so a client that sends its whole body before reading gets the answer.
    case discarding(HTTPError, deadline: ContinuousClock.Instant, discarded: Int)
    /// Refused, its connection suspended until one of the few drain slots is free (`Admission.drainSlots`), so
    /// that the worker threads never read hundreds of refused bodies at once; `atHeaders` when it was refused
    /// from its headers (the resumed call is then the headers call again, not the body's end).
    case drainQueued(HTTPError, Admission.Waiter, atHeaders: Bool)
}
