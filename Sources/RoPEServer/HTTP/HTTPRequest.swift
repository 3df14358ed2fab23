import TensorCodecs

/// A complete HTTP request as a handler sees it.
///
/// `body` points into the request's own buffer, where the connection collected the chunks libmicrohttpd delivered
/// (one allocation of the declared Content-Length); it is valid only while the handler runs. Codecs parse straight
/// from it, and /rotate of a .npy body rotates in it and sends it back (`takeBody`), so it is copied only once, on
/// arrival.
public struct HTTPRequest {
    /// The method as sent, e.g. `POST`.
    public var method: String
    /// The path without the query string, e.g. `/rotate`.
    public var path: String
    /// Decoded query-string items in the order given (a key without `=` has an empty value).
    public var query: [(name: String, value: String)]
    /// Header lookup by case-insensitive name.
    public var headers: [String: String]
    /// The request body bytes.
    public var body: UnsafeRawBufferPointer
    /// Who owns the memory `body` points into, when it can be handed over (see `takeBody`).
    var bodyOwner: (any RequestBodyOwner)?

    /// Creates a request; header names are folded to lower case.
    public init(method: String, path: String, query: [(name: String, value: String)] = [],
                headers: [String: String] = [:],
                body: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) },
                                  uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    /// Creates a request whose header names are lower case already (the server folds them as it collects them).
    init(method: String, path: String, query: [(name: String, value: String)],
         lowercasedHeaders headers: [String: String], body: UnsafeRawBufferPointer) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Takes ownership of the body's memory, so a handler can change it in place and send it back as the response
    /// body without a copy. Nil when the body's owner cannot hand it over (e.g. a request built by a test); then
    /// `body` stays valid. After a successful call `body` must not be read: this request's `body` is emptied, but
    /// copies of the request made earlier still point into the memory that now belongs to the returned buffer.
    mutating func takeBody() -> ResponseBuffer? {
        guard let taken = bodyOwner?.takeBody() else { return nil }
        bodyOwner = nil
        body = UnsafeRawBufferPointer(start: nil, count: 0)
        return taken
    }

    /// Reserves `bytes` more of the memory budget (`max_inflight_bytes`) before a handler allocates what the parsed
    /// request sets the size of (e.g. cos/sin tables); 503 `overloaded` when the budget has no room for them now, 413
    /// when they exceed what it allows one request.
    /// A request built without a server (tests) always gets them.
    public func reserveMemory(_ bytes: Int) throws(HTTPError) {
        try bodyOwner?.reserveMore(bytes)
    }

    /// The value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        // The handlers ask with lower-case literals; lower-casing those again would cost a string per lookup.
        name.utf8.contains(where: { $0 &- 65 < 26 }) ? headers[name.lowercased()] : headers[name]
    }

    /// The media type of the body without parameters, lower-cased
    /// (`application/json; charset=utf-8` -> `application/json`).
    public var mediaType: String? {
        header("content-type").map { Self.mediaType(ofEntry: Substring($0)) }
    }

    /// The media type of a Content-Type value: before any ';', without spaces and tabs around it,
    /// lower-cased (byte-wise: media types are ASCII, and this runs on every request).
    static func mediaType(ofEntry entry: Substring) -> String {
        String(asciiLowercasing: entry.utf8.prefix { $0 != UInt8(ascii: ";") }.trimmingOptionalWhitespace)
    }
}

import Foundation

/// The owner of a request body's memory that can hand it over to a handler, and of the request's reservation in
/// the memory budget (the connection's pending request).
protocol RequestBodyOwner: AnyObject {
    /// The body as an owned buffer, or nil when there is none or it was taken already.
    func takeBody() -> ResponseBuffer?
    /// Grows the request's reservation by `bytes` when the budget has room now: 503 `overloaded` when it has not,
    /// 413 when it never could.
    func reserveMore(_ bytes: Int) throws(HTTPError)
}
