/// The most memory one request can need while it is handled, from what its headers say: route, method, body
/// length, content type and whether the answer is .npy.
///
/// `bytes = body + parsed + output`, where for `n` tensor elements (at most `max_tensor_elements`, and at most what
/// the body can hold: `(body + 1) / 2` JSON numbers, `body / 4` float32 values) and `m` attention scores (at most
/// `max_attention_scores`, and at most `(n / 2)^2`, since every row of `d >= 2` values is one query or one key):
/// - `POST /rotate`: JSON `12n` parsed (values and positions), .npy nothing (rotated where received); output
///   `36n` as JSON text (at most 18 bytes per number, and the buffer may double while it grows), `4n` as .npy
///   from JSON, nothing as .npy from .npy;
/// - `POST /attention`: `12n` parsed plus `8n` for the rotated copies; output `4m` scores plus `36m` as JSON text
///   or `4m` as .npy;
/// - `GET /openapi.yaml`: `documentBytes` for the copy of the document;
/// - every other route: the body plus `baseBytes` (its tables are reserved by the handler once their size is
///   known, see `HTTPRequest.reserve`).
/// Every product saturates at `Int.max` instead of overflowing; such an estimate is simply never admitted.
public struct RequestMemoryEstimate: Sendable, Hashable {
    /// What every request is charged on top of its body and tensors: headers, small responses, bookkeeping.
    public static let baseBytes = 16 * 1024
    /// What `GET /openapi.yaml` adds: a copy of the document.
    public static let documentBytes = 256 * 1024
    /// Bytes of JSON text per float32 written, growth of the writer's buffer included.
    public static let jsonTextBytesPerNumber = 36
    /// Bytes per element while a JSON tensor is parsed (the float32 values, positions and the collector's growth).
    public static let parsedBytesPerElement = 12

    /// The worst case in bytes.
    public var bytes: Int

    /// The estimate for a request on `path` with `method`, a body of `bodyBytes` (received or declared), of media
    /// type `mediaType`, answered as .npy when `answersNPY`, under `limits`.
    public init(method: String, path: String, bodyBytes: Int, mediaType: String?, answersNPY: Bool,
                limits: ServerLimits) {
        let body = max(0, bodyBytes)
        let isNPY = mediaType == "application/x-npy"
        let elementBound = isNPY ? body / 4 : body / 2 + body % 2
        let n = min(limits.maxTensorElements, elementBound)
        var total = Self.baseBytes.saturatingAdd(body)
        switch (method, path) {
        case ("POST", "/rotate"):
            if !isNPY { total = total.saturatingAdd(n.saturatingMultiply(Self.parsedBytesPerElement)) }
            if !answersNPY {
                total = total.saturatingAdd(n.saturatingMultiply(Self.jsonTextBytesPerNumber))
            } else if !isNPY {
                total = total.saturatingAdd(n.saturatingMultiply(4))
            }
        case ("POST", "/attention"):
            let parsed = isNPY ? 4 : Self.parsedBytesPerElement
            total = total.saturatingAdd(n.saturatingMultiply(parsed + 8))
            let half = n / 2
            let m = min(limits.maxAttentionScores, half.saturatingMultiply(half))
            total = total.saturatingAdd(m.saturatingMultiply(answersNPY ? 8 : 4 + Self.jsonTextBytesPerNumber))
        case ("GET", "/openapi.yaml"):
            total = total.saturatingAdd(Self.documentBytes)
        default:
            break
        }
        bytes = total
    }
}

extension Int {
    /// `self + other`, or `Int.max` when that overflows (both non-negative).
    func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    /// `self * other`, or `Int.max` when that overflows (both non-negative).
    func saturatingMultiply(_ other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }
}
