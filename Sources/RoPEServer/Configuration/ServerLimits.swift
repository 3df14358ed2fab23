import TensorCodecs

/// Every size and time bound the server enforces before doing work, all configurable.
public struct ServerLimits: Sendable, Hashable, Codable {
    /// Largest request body in bytes (413 beyond; checked on Content-Length before buffering).
    public var maxBodyBytes: Int = 64 << 20
    /// Largest number of elements in one tensor (413 beyond).
    public var maxTensorElements: Int = CodecLimits().maxTensorElements
    /// Largest head dimension `d` (413 beyond).
    public var maxDimension: Int = 65_536
    /// Largest sequence length: `s` of a tensor, `seq_len` of /frequencies, `points` of /decay (413 beyond).
    public var maxSequenceLength: Int = 1 << 20
    /// Largest attention score matrix, counted over all rows: rows x s_q x s_k (413 beyond).
    public var maxAttentionScores: Int = 1 << 26
    /// Deepest JSON nesting (413 beyond).
    public var maxJSONDepth: Int = CodecLimits().maxNestingDepth
    /// Longest number literal in characters (413 beyond).
    public var maxNumberLength: Int = CodecLimits().maxNumberLength
    /// Largest absolute position after offset (422 beyond); keeps position x frequency well inside Double's exact
    /// range.
    public var maxPosition: Int = 1 << 40
    /// Most concurrent connections (libmicrohttpd refuses more).
    public var maxConnections: Int = 1024
    /// Seconds a connection may stay idle before it is closed.
    public var connectionTimeoutSeconds: Int = 30
    /// Bytes libmicrohttpd may use per connection for the request head, query arguments and buffers.
    ///
    /// A request head or query larger than this is refused by libmicrohttpd itself before any handler runs: a JSON
    /// 414 (`uri_too_long`) for the request line or its query arguments, 431 (`header_fields_too_large`) for the
    /// headers. It is generous so that those stay rare: 256 KiB holds a ~200 KB query string or a few thousand
    /// arguments, which the handlers then refuse with a message naming the parameter. Pages a connection never
    /// writes cost no memory (the pool is mmap'd and, with deps/libmicrohttpd/pool-no-memset.patch, never zeroed).
    public var connectionMemoryLimit: Int = 256 * 1024
    /// Memory budget for work in flight, in bytes: the sum of every admitted request's worst case
    /// (`RequestMemoryEstimate`); 0 = one half of the memory the process may use (`InflightBudget`).
    public var maxInflightBytes: Int = 0
    /// Milliseconds a request over the memory budget waits for room before it is answered 503 `overloaded`.
    public var admissionWaitMilliseconds: Int = 1000

    /// The defaults.
    public init() {}
}
