#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable malloc'd byte buffer whose storage can be handed to C, which then frees it with free().
///
/// Non-copyable so exactly one owner can free or detach the storage; that unique ownership is also why moving it
/// to another thread is safe (`@unchecked Sendable`).
public struct ResponseBuffer: ~Copyable, @unchecked Sendable {
    /// malloc'd storage of `capacity` bytes, the first `count` of them written.
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    /// The number of bytes written.
    public private(set) var count: Int

    /// A buffer holding a copy of `bytes`.
    public init(copying bytes: UnsafeRawBufferPointer) {
        self.init(capacity: bytes.count)
        append(bytes)
    }

    /// Creates an empty buffer with room for `capacity` bytes before it has to grow.
    public init(capacity: Int) {
        // Never zero bytes: malloc(0) may return nil, and C must always get a pointer it can free().
        let size = max(capacity, 64)
        guard let storage = malloc(size) else { fatalError("ResponseBuffer: out of memory allocating \(size) bytes") }
        self.storage = storage
        self.capacity = size
        self.count = 0
    }

    /// Takes ownership of malloc'd `storage` of `capacity` bytes whose first `count` bytes are written (a received
    /// body whose memory is sent back changed, without copying it).
    public init(adopting storage: UnsafeMutableRawPointer, count: Int, capacity: Int) {
        precondition(count >= 0 && count <= capacity, "ResponseBuffer: \(count) bytes written of \(capacity)")
        self.storage = storage
        self.capacity = capacity
        self.count = count
    }

    deinit {
        free(storage)
    }

    /// Makes room for `additional` more bytes, growing geometrically so appends stay amortised O(1).
    @inline(__always)
    mutating func reserveCapacity(forAdditional additional: Int) {
        if count + additional > capacity { grow(toAtLeast: count + additional) }
    }

    @inline(never)
    private mutating func grow(toAtLeast minimum: Int) {
        let newCapacity = max(minimum, capacity * 2)
        guard let grown = realloc(storage, newCapacity) else {
            fatalError("ResponseBuffer: out of memory growing to \(newCapacity) bytes")
        }
        storage = grown
        capacity = newCapacity
    }

    /// Where the next byte goes; valid for the bytes reserved with `reserveCapacity(forAdditional:)`.
    @inline(__always)
    var unsafeTail: UnsafeMutablePointer<UInt8> {
        (storage + count).assumingMemoryBound(to: UInt8.self)
    }

    /// Records `written` bytes put at `unsafeTail` (within the reserved room).
    @inline(__always)
    mutating func commitTail(_ written: Int) {
        count += written
    }

    /// Keeps only the first `newCount` bytes (at most `count`), e.g. to drop a trailing array from a received body.
    public mutating func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= count, "truncate(to: \(newCount)) of \(count) bytes")
        count = newCount
    }

    /// Grows the written part by `byteCount` bytes whose content the caller fills in (with `withUnsafeMutableBytes`).
    mutating func appendUninitialized(_ byteCount: Int) {
        reserveCapacity(forAdditional: byteCount)
        count += byteCount
    }

    /// Appends one byte.
    @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserveCapacity(forAdditional: 1)
        storage.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Appends raw bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserveCapacity(forAdditional: bytes.count)
        (storage + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Appends the UTF-8 of a literal (normally ASCII punctuation and names).
    public mutating func append(_ string: StaticString) {
        string.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends the UTF-8 of a string.
    public mutating func append(contentsOf string: String) {
        var string = string
        string.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Hands the storage to the caller, who must free() it; this buffer no longer frees it.
    public consuming func detach() -> (pointer: UnsafeMutableRawPointer, count: Int) {
        let result = (pointer: storage, count: count)
        discard self
        return result
    }

    /// Calls `body` with the bytes written so far, to change them in place.
    public mutating func withUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeMutableRawBufferPointer(start: storage, count: count))
    }

    /// Calls `body` with the bytes written so far.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }
}
