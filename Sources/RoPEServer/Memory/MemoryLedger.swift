/// The arithmetic of the memory budget: how many bytes are reserved, and whether a request of a given worst case
/// may be admitted.
///
/// Requests come in two classes. A small one (worst case at most `smallRequestBytes` = `headroom / 16`) may use the
/// whole budget; a large one only `capacity - headroom`, where `headroom = capacity / 8`. So large requests can never
/// take the room small ones need: a burst of large requests leaves at least `headroom` for at least 16 small ones,
/// which are admitted at once and never queue behind a large one.
public struct MemoryLedger: Sendable, Hashable {
    /// The budget in bytes.
    public let capacity: Int
    /// Bytes reserved by the requests admitted and not yet finished.
    public private(set) var reserved = 0
    /// The part of `reserved` held by answers already built and waiting to be sent.
    public private(set) var answering = 0
    /// The most reserved since `resetPeak()`.
    public private(set) var peak = 0

    /// Bytes reserved by requests still being received or computed.
    public var working: Int { reserved - answering }

    /// A ledger with nothing reserved.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The part of the budget only small requests may use.
    public var headroom: Int { capacity / 8 }

    /// The largest worst case that counts as a small request.
    public var smallRequestBytes: Int { headroom / 16 }

    /// Whether a request of `bytes` is small.
    public func isSmall(_ bytes: Int) -> Bool { bytes <= smallRequestBytes }

    /// The most its class may reserve in total.
    public func ceiling(for bytes: Int) -> Int { isSmall(bytes) ? capacity : capacity - headroom }

    /// Whether a request of `bytes` could be admitted on an empty ledger at all.
    public func canEverAdmit(_ bytes: Int) -> Bool { bytes <= ceiling(for: bytes) }

    /// Whether `bytes` fit now.
    public func fits(_ bytes: Int) -> Bool {
        let (total, overflow) = reserved.addingReportingOverflow(bytes)
        return !overflow && total <= ceiling(for: bytes)
    }

    /// Reserves `bytes` when they fit; false (and nothing reserved) otherwise.
    public mutating func reserve(_ bytes: Int) -> Bool {
        guard bytes >= 0, fits(bytes) else { return false }
        reserved += bytes
        peak = max(peak, reserved)
        return true
    }

    /// Grows a reservation of `current` bytes (already counted) to `wanted`, when the total `wanted` fits its class.
    public mutating func grow(from current: Int, to wanted: Int) -> Bool {
        guard wanted > current else { return true }
        let extra = wanted - current
        guard reserved.addingReportingOverflow(extra).overflow == false,
              reserved + extra <= ceiling(for: wanted) else { return false }
        reserved += extra
        peak = max(peak, reserved)
        return true
    }

    /// Gives back `bytes` reserved earlier (`answer`: bytes that `settle` turned into an answer's).
    public mutating func release(_ bytes: Int, answer: Bool = false) {
        reserved = max(0, reserved - max(0, bytes))
        if answer { answering = max(0, answering - max(0, bytes)) }
    }

    /// A request's answer is built: of its `current` bytes it keeps `kept` (at most `current`) for the answer until
    /// it is sent, and gives back the rest.
    public mutating func settle(_ current: Int, keeping kept: Int) {
        let kept = min(max(0, kept), current)
        release(current - kept)
        answering += kept
    }

    /// Starts a new peak measurement from what is reserved now.
    public mutating func resetPeak() { peak = reserved }
}
