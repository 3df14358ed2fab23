/// Collects the elements of a tensor being parsed, with the element limit checked on the way.
///
/// Elements are stored through a raw pointer into a small scratch chunk, and each full chunk is appended to the
/// array in one copy. Appending to the `[Float]` one element at a time costs a uniqueness check (a runtime call),
/// a capacity check and the spilling of registers around that call, more than the store itself; here an element
/// costs a store and one comparison, which also stands for the element limit.
struct TensorElementCollector: ~Copyable {
    /// Elements of the chunks flushed so far.
    private var flushed: [Float] = []
    /// The scratch chunk, `chunkCapacity` elements.
    private let chunk: UnsafeMutablePointer<Float>
    /// Elements stored in the chunk.
    private var chunkCount = 0
    /// Where the chunk must be flushed: its capacity, or less when the element limit comes first.
    private var chunkLimit: Int
    /// The most elements the tensor may have.
    private let maxElements: Int

    /// The chunk size: 2 KiB stays in L1 and makes the per-copy overhead negligible.
    private static let chunkCapacity = 512

    /// An empty collector that accepts at most `maxElements` elements.
    init(maxElements: Int) {
        self.maxElements = max(0, maxElements)
        chunk = .allocate(capacity: Self.chunkCapacity)
        chunkLimit = min(Self.chunkCapacity, self.maxElements)
    }

    deinit {
        chunk.deallocate()
    }

    /// The number of elements collected.
    var count: Int { flushed.count &+ chunkCount }

    /// Makes room for about `expectedTotal` elements in all, so the array is allocated once.
    mutating func reserveCapacity(_ expectedTotal: Int) {
        flushed.reserveCapacity(expectedTotal)
    }

    /// Adds `value`; false (and nothing added) when the collector already holds `maxElements` elements.
    @inline(always)
    mutating func append(_ value: Float) -> Bool {
        if chunkCount == chunkLimit {
            guard flush() else { return false }
        }
        chunk[chunkCount] = value
        chunkCount &+= 1
        return true
    }

    /// Where the next element goes in the chunk, and how many may be stored from there before `append` must
    /// flush (0 when it must flush first). Elements stored there count once `didStore` is told.
    var freeSlots: (next: UnsafeMutablePointer<Float>, count: Int) {
        (chunk + chunkCount, chunkLimit &- chunkCount)
    }

    /// Counts `count` elements stored at `freeSlots` (at most its count).
    mutating func didStore(_ count: Int) {
        chunkCount &+= count
    }

    /// Moves the chunk into the array; false when no element may follow.
    @inline(never)
    private mutating func flush() -> Bool {
        flushed.append(contentsOf: UnsafeBufferPointer(start: chunk, count: chunkCount))
        chunkCount = 0
        chunkLimit = min(Self.chunkCapacity, maxElements - flushed.count)
        return chunkLimit > 0
    }

    /// All elements in order.
    consuming func finish() -> [Float] {
        flushed.append(contentsOf: UnsafeBufferPointer(start: chunk, count: chunkCount))
        return flushed
    }
}
