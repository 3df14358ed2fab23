import Foundation
import TensorCodecs

/// The state of one request while libmicrohttpd delivers it: its line, headers and the body received so far.
///
/// It lives from the first access-handler call to the request-completed callback, travelling through
/// MHD's `con_cls` pointer as a retained reference. Only one thread touches it at a time: the connection's worker
/// thread, or, while the connection is suspended, the thread that computes its answer (`HeavyRequestPool`).
final class PendingRequest: RequestBodyOwner, @unchecked Sendable {
    let method: String
    let url: String
    /// `url` without a query string (libmicrohttpd passes none; a guard for clients that send odd targets).
    let path: String
    /// From `X-Request-Id` when the client sent a usable one, else generated; echoed in the response.
    let requestID: String
    let startedAt: ContinuousClock.Instant
    /// Set when the request is refused from its headers alone (413, 401, 503); answered at once.
    var rejection: HTTPError?
    /// Set when the body grows past the limit while streaming; the rest is discarded and a 413 answered at the end.
    var overflow: HTTPError?
    /// Where the request is in admission to the memory budget (`AdmissionGate`).
    var admission = AdmissionState()
    /// The answer computed off the worker thread, queued when the connection is resumed.
    var readyResponse: HTTPResponse?
    /// Whether the answer is being computed off the worker thread.
    var isComputing = false
    private(set) var storage: UnsafeMutableRawPointer?
    /// Body bytes received (still counted after the storage was handed over with `takeBody`).
    private(set) var count = 0
    /// Declared Content-Length (nil for a chunked body).
    let expectedLength: Int?
    private var capacity = 0
    private let limit: Int

    /// Admission to the memory budget (nil for requests that never reserve, e.g. in tests).
    let gate: AdmissionGate?

    init(method: String, url: String, requestID: String, expectedLength: Int?, limit: Int, gate: AdmissionGate? = nil) {
        self.gate = gate
        self.method = method
        self.url = url
        path = url.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(url[..<$0]) } ?? url
        self.requestID = requestID
        self.limit = limit
        self.expectedLength = expectedLength
        self.startedAt = .now
    }

    /// Allocates room for the declared body at once, so that it is received without reallocations; called once the
    /// request is admitted (a waiting or refused request holds no body memory).
    func allocateDeclaredBody() {
        if let expectedLength, expectedLength > 0, expectedLength <= limit, storage == nil {
            reserve(expectedLength)
        }
    }

    deinit { free(storage) }

    /// Appends a chunk of the body; past the limit the chunk is dropped and `overflow` is set.
    func append(_ bytes: UnsafeRawPointer, count chunk: Int) {
        guard overflow == nil else { return }
        let (total, overflowed) = count.addingReportingOverflow(chunk)
        guard !overflowed, total <= limit else {
            overflow = .tooLarge("request body exceeds the limit of \(limit) bytes (max_body_bytes)")
            free(storage)
            storage = nil
            count = 0
            capacity = 0
            return
        }
        if total > capacity { reserve(max(total, min(limit, capacity * 2))) }
        (storage! + count).copyMemory(from: bytes, byteCount: chunk)
        count = total
    }

    /// The body received, valid until the next `append` or deinit.
    var body: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage, count: storage == nil ? 0 : count)
    }

    /// Hands the received body to the caller (nil when there is none or it was taken already); the request keeps
    /// its byte count for the log and metrics, and `body` is empty from now on.
    func takeBody() -> ResponseBuffer? {
        guard let taken = storage else { return nil }
        storage = nil
        let buffer = ResponseBuffer(adopting: taken, count: count, capacity: capacity)
        capacity = 0
        return buffer
    }

    func reserveMore(_ bytes: Int) throws(HTTPError) {
        try gate?.reserveMore(self, bytes: bytes)
    }

    /// Frees the body once the answer is built (the answer may stay queued for a slow client much longer).
    func releaseBody() {
        free(storage)
        storage = nil
        capacity = 0
    }

    private func reserve(_ newCapacity: Int) {
        guard let grown = realloc(storage, newCapacity) else {
            fatalError("out of memory growing a request body to \(newCapacity) bytes")
        }
        storage = grown
        capacity = newCapacity
    }
}
