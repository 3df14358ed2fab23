/// The most memory one request can need while it is handled, from what its headers say: route, method, body
/// length, content type and whether the answer is .npy.
///
/// `bytes = base + body + parsed + output`, where `n` tensor elements is at most `max_tensor_elements` and at most
/// what the body can hold (`(body + 1) / 2` JSON numbers, `body / 4` float32 values):
/// - `POST /rotate`: JSON `8n` parsed (the values and the collector's growth), .npy nothing (rotated where
///   received); `8n` for positions and the cos/sin coefficients the engine forms; output `36n` as JSON text (at most
///   18 bytes per number, and the buffer may double while it grows), `4n` as .npy from JSON, nothing as .npy from
///   .npy;
/// - `POST /attention`: `8n` parsed (`4n` from .npy) plus `8n` for the rotated copies; the scores (at most
///   `max_attention_scores`, but a body of a few kilobytes can ask for all of them) are reserved by the handler
///   once their count is known, `4 + 36` bytes each as JSON, `8` as .npy (see `HTTPRequest.reserveMemory`);
/// - `GET /openapi.yaml`: `documentBytes` for the copy of the document;
/// - every other route: the body plus `baseBytes` (the tables of /frequencies and /decay are reserved by their
///   handlers once their size is known).
/// Every sum and product saturates at `Int.max` instead of overflowing; such an estimate is never admitted.
public struct RequestMemoryEstimate: Sendable, Hashable {
    /// What every request is charged on top of its body and tensors: headers, small responses, bookkeeping.
    public static let baseBytes = 16 * 1024
    /// What `GET /openapi.yaml` adds: a copy of the document.
    public static let documentBytes = 256 * 1024
    /// Bytes of JSON text per float32 written, growth of the writer's buffer included.
    public static let jsonTextBytesPerNumber = 36
    /// Bytes per element while a JSON tensor is parsed (the float32 values and the collector's growth).
    public static let parsedBytesPerElement = 8
    /// Bytes per element for positions (as Int) and the cos/sin coefficients a rotation forms.
    public static let coefficientBytesPerElement = 8

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
            total = total.saturatingAdd(n.saturatingMultiply(Self.coefficientBytesPerElement))
            if !answersNPY {
                total = total.saturatingAdd(n.saturatingMultiply(Self.jsonTextBytesPerNumber))
            } else if !isNPY {
                total = total.saturatingAdd(n.saturatingMultiply(4))
            }
        case ("POST", "/attention"):
            let parsed = isNPY ? 4 : Self.parsedBytesPerElement
            total = total.saturatingAdd(n.saturatingMultiply(parsed + 8))
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
