/// A request target split and decoded as libmicrohttpd does it before the router sees the request.
///
/// The path is cut at the first `?` and `%XX`-decoded (no `+` rule). The query splits at `&`; each item at its first
/// `=`; in key and value `+` becomes a space, then `%XX` is decoded (a `%` without two hex digits stays as it is).
/// A key without `=` has an empty value; an empty item between two `&` is an empty key; a trailing `&` adds nothing.
/// Values end at a decoded NUL, as the server reads them as C strings.
public struct RequestTarget: Equatable, Sendable {
    /// The decoded path.
    public var path: String
    /// The decoded query items in order.
    public var query: [Item]

    /// One query item.
    public struct Item: Equatable, Sendable {
        /// The decoded key.
        public var name: String
        /// The decoded value; empty when the item had no `=`.
        public var value: String

        /// An item from its decoded key and value.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Splits and decodes `target`, e.g. `/frequencies?dim=8&layout=half`.
    public init(_ target: String) {
        let bytes = Array(target.utf8)
        guard let mark = bytes.firstIndex(of: UInt8(ascii: "?")) else {
            path = Self.decode(bytes[...], plusIsSpace: false)
            query = []
            return
        }
        path = Self.decode(bytes[..<mark], plusIsSpace: false)
        var items: [Item] = []
        var rest = bytes[(mark + 1)...]
        while !rest.isEmpty {
            let end = rest.firstIndex(of: UInt8(ascii: "&")) ?? rest.endIndex
            let item = rest[..<end]
            if let equals = item.firstIndex(of: UInt8(ascii: "=")) {
                items.append(Item(name: Self.decode(item[..<equals], plusIsSpace: true),
                                  value: Self.decode(item[(equals + 1)...], plusIsSpace: true)))
            } else {
                items.append(Item(name: Self.decode(item, plusIsSpace: true), value: ""))
            }
            rest = end == rest.endIndex ? [] : rest[(end + 1)...]
        }
        query = items
    }

    /// The query as `HTTPRequest` takes it.
    public var queryPairs: [(name: String, value: String)] { query.map { ($0.name, $0.value) } }

    private static func decode(_ text: ArraySlice<UInt8>, plusIsSpace: Bool) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "%"), index + 2 < text.endIndex,
               let high = hexValue(text[index + 1]), let low = hexValue(text[index + 2]) {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: decoded.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
