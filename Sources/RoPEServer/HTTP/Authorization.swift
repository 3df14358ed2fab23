/// The optional API key: when set, every route but /health needs `Authorization: Bearer <key>`.
struct Authorization: Sendable {
    private let key: [UInt8]

    /// nil when no key is configured (then every request passes).
    init?(apiKey: String?) {
        guard let apiKey, !apiKey.isEmpty else { return nil }
        key = Array(apiKey.utf8)
    }

    /// 401 unless the header carries the key; compared in constant time so timing reveals nothing of it.
    func check(path: String, authorizationHeader: String?) throws(HTTPError) {
        guard path != "/health" else { return }
        let challenge = [(name: "WWW-Authenticate", value: "Bearer realm=\"rope-server\"")]
        guard let header = authorizationHeader, header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw HTTPError(status: 401, type: "unauthorized", "this server needs 'Authorization: Bearer <api key>'",
                            headers: challenge)
        }
        guard Self.constantTimeEquals(Array(header.utf8.dropFirst(7)), key) else {
            throw HTTPError(status: 401, type: "unauthorized", "the API key is not valid", headers: challenge)
        }
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
