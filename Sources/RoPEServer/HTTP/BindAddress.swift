import Foundation

/// A listening address parsed from a textual IPv4 or IPv6 literal.
struct BindAddress: Sendable {
    private enum Storage: Sendable {
        case ipv4(sockaddr_in)
        case ipv6(sockaddr_in6)
    }
    private let storage: Storage

    /// Parses `host` (`0.0.0.0`, `127.0.0.1`, `::`, `::1`, `localhost`); nil when it is not an address literal.
    init?(host: String, port: UInt16) {
        let literal = host == "localhost" ? "127.0.0.1" : host
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, literal, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            storage = .ipv4(v4)
            return
        }
        let bracketless = literal.hasPrefix("[") && literal.hasSuffix("]")
            ? String(literal.dropFirst().dropLast()) : literal
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, bracketless, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            storage = .ipv6(v6)
            return
        }
        return nil
    }

    var isIPv6: Bool {
        if case .ipv6 = storage { return true }
        return false
    }

    /// Calls `body` with a pointer to the sockaddr, valid only during the call.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>) -> R) -> R {
        switch storage {
        case .ipv4(var address):
            return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        case .ipv6(var address):
            return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        }
    }
}
