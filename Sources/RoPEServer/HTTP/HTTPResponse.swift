import Foundation
import TensorCodecs

/// A response ready to hand to libmicrohttpd: status, headers and a malloc'd body it will free.
public struct HTTPResponse: ~Copyable {
    /// The HTTP status code.
    public var status: Int
    /// The `Content-Type` header.
    public var contentType: String
    /// Further headers.
    public var headers: [(name: String, value: String)]
    /// The body; ownership passes to libmicrohttpd when the response is queued.
    public var body: ResponseBuffer
    /// The `error_type` when this is an error response (for metrics).
    public var errorType: String?

    /// Creates a response from a filled buffer.
    public init(status: Int = 200, contentType: String, headers: [(name: String, value: String)] = [],
                body: consuming ResponseBuffer) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A JSON response from a finished writer.
    public static func json(_ writer: consuming JSONWriter, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: writer.finish())
    }

    /// A response whose body is the given text.
    public static func text(_ text: String, contentType: String, status: Int = 200) -> HTTPResponse {
        var buffer = ResponseBuffer(capacity: text.utf8.count)
        buffer.append(contentsOf: text)
        return HTTPResponse(status: status, contentType: contentType, body: buffer)
    }

    /// The JSON error body `{"error": ..., "error_type": ...}` of an error, with its status and headers.
    public static func error(_ error: some HTTPResponseError) -> HTTPResponse {
        var writer = JSONWriter(capacity: error.message.utf8.count + 64)
        writer.beginObject()
        writer.key("error")
        writer.value(error.message)
        writer.key("error_type")
        writer.value(error.errorType)
        writer.endObject()
        var response = HTTPResponse(status: error.status, contentType: "application/json", headers: error.headers,
                                    body: writer.finish())
        response.errorType = error.errorType
        return response
    }
}
