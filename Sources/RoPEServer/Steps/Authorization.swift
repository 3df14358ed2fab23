import Foundation

/// The optional API key: when set, every route but /health needs it in the `Authorization` header.
struct Authorization: Sendable {
    private let key: [UInt8]

    /// nil when no key is configured (then every request passes).
    init?(apiKey: String?) {
        guard let apiKey, !apiKey.isEmpty else { return nil }
        key = Array(apiKey.utf8)
    }

    /// 401 unless the header carries the key, as `Bearer <key>` or as the password of HTTP Basic credentials (RFC 7617;
    /// any user name), which is what a browser sends after its own log-in prompt: the explorer page at / is a
    /// navigation, which cannot carry a bearer token, and its requests then reuse the browser's credentials. Compared
    /// in constant time so timing reveals nothing of the key.
    func check(path: String, authorizationHeader: String?) throws(HTTPError) {
        guard path != "/health" else { return }
        // Only / challenges with Basic: a browser prompts for it there, never for the API's own 401s.
        var challenge = [(name: "WWW-Authenticate", value: "Bearer realm=\"rope-server\"")]
        if path == "/" {
            challenge.append((name: "WWW-Authenticate", value: "Basic realm=\"rope-server\", charset=\"UTF-8\""))
        }
        guard let header = authorizationHeader, let given = Self.presentedKey(header) else {
            throw HTTPError(status: 401, type: "unauthorized", "this server needs 'Authorization: Bearer <api key>'",
                            headers: challenge)
        }
        guard Self.constantTimeEquals(given, key) else {
            throw HTTPError(status: 401, type: "unauthorized", "the API key is not valid", headers: challenge)
        }
    }

    /// The key a header presents: the token of `Bearer <token>`, or the password of `Basic base64(user:password)`.
    static func presentedKey(_ header: String) -> [UInt8]? {
        let bytes = Array(header.utf8)
        if bytes.count > 7, String(decoding: bytes.prefix(7), as: UTF8.self).lowercased() == "bearer " {
            return Array(bytes.dropFirst(7))
        }
        guard bytes.count > 6, String(decoding: bytes.prefix(6), as: UTF8.self).lowercased() == "basic ",
              let decoded = Data(base64Encoded: Data(bytes.dropFirst(6))),
              let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return Array(decoded[decoded.index(after: colon)...])
    }

    /// Compares every byte whatever the first difference, so the time depends only on the lengths.
    static func constantTimeEquals(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            difference |= (index < given.count ? given[index] : 0) ^ expected[index]
        }
        return difference == 0
    }
}
