import Foundation

/// A response as a test sees it, whichever way the request travelled.
public struct TestResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Response headers by lower-cased name.
    public var headers: [String: String]
    /// The body bytes (none for HEAD).
    public var body: [UInt8]

    /// Creates a response from its parts.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object (nil when it is not one).
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) as? [String: Any]
    }
}

/// One way to send a request to the service: in process through the router, or over a socket to a real server.
/// Tests written against this run either way.
public protocol TestTransport {
    /// Sends one request; `contentType` and a `Content-Length` go with a body, `headers` after them.
    func request(_ method: String, _ target: String, body: [UInt8]?, contentType: String?,
                 headers: [String: String]) throws -> TestResponse
}

extension TestTransport {
    /// Sends one request whose body is `json` serialised, or `body` as given.
    public func request(_ method: String, _ target: String, json: Any? = nil, body: [UInt8]? = nil,
                        contentType: String? = "application/json",
                        headers: [String: String] = [:]) throws -> TestResponse {
        var bytes = body
        if let json { bytes = Array(try JSONSerialization.data(withJSONObject: json)) }
        return try request(method, target, body: bytes, contentType: contentType, headers: headers)
    }
}
