import Testing
import RoPEServer

/// Header parsing a handler relies on: the media type of Content-Type (Accept: ContentNegotiationTests).
@Suite("HTTP request headers")
struct HTTPRequestTests {
    @Test("Content-Type's media type drops parameters, surrounding blanks and case", arguments: [
        ("application/json", "application/json"),
        ("Application/JSON; charset=utf-8", "application/json"),
        (" \tapplication/x-npy ;foo=bar", "application/x-npy"),
        ("text/plain;", "text/plain"),
        ("  ", ""),
        (";charset=utf-8", ""),
    ])
    func mediaType(header: String, expected: String) {
        let request = HTTPRequest(method: "POST", path: "/rotate", headers: ["content-TYPE": header])
        #expect(request.mediaType == expected)
    }

    @Test("no Content-Type has no media type")
    func noContentType() {
        #expect(HTTPRequest(method: "POST", path: "/rotate").mediaType == nil)
    }
}

@Suite("Request ids")
struct RequestIDTests {
    @Test("generated ids are 16 lower-case hex digits and never repeat")
    func generatedIDs() {
        let generator = RequestIDGenerator()
        let ids = (0..<100_000).map { _ in generator.next() }
        #expect(Set(ids).count == ids.count)
        let isLowerHex = { (byte: UInt8) in (48...57).contains(byte) || (97...102).contains(byte) }
        #expect(ids.allSatisfy { $0.utf8.count == 16 && $0.utf8.allSatisfy(isLowerHex) })
        #expect(RequestIDGenerator().next() != RequestIDGenerator().next())
    }
}
