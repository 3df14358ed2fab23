import Synchronization

/// Request ids for requests that arrive without a usable `X-Request-Id`: 16 lower-case hex digits, distinct for
/// every request of the process, without a system call per request.
///
/// The n-th id is SplitMix64's output function (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014) applied to `seed + n`. That function is a bijection of UInt64, so ids never repeat
/// within 2^64 requests, and the random seed (read once from the system generator) makes them differ between
/// processes and look random in logs. They are identifiers, not secrets.
public final class RequestIDGenerator: Sendable {
    private let seed: UInt64
    private let counter = Atomic<UInt64>(0)

    /// A generator with a seed from the system's random number generator.
    public init() {
        var system = SystemRandomNumberGenerator()
        seed = system.next()
    }

    /// The next id.
    public func next() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        return Self.hex(Self.mix(seed &+ n))
    }

    /// SplitMix64's finaliser: invertible, so distinct inputs give distinct outputs.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `value` as exactly 16 lower-case hex digits.
    static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            let digits: StaticString = "0123456789abcdef"
            let table = digits.utf8Start
            for index in 0..<16 {
                buffer[index] = table[Int((value >> UInt64(60 - 4 * index)) & 0xF)]
            }
            return 16
        }
    }
}
