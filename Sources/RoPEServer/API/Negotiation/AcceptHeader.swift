/// An `Accept` header's media ranges and their weights (RFC 9110 §12.5.1), read in place without copying.
///
/// Media types compare case-insensitively and their parameters other than `q` are ignored. A weight is kept in
/// thousandths; a missing or malformed `q` (not `0`, `0.5`, `1.000`, ...) counts as 1, as if it were absent.
struct AcceptHeader {
    /// How a media range matches a media type, from least to most specific.
    enum Specificity: Int, Comparable {
        /// `*/*`
        case anyType = 1
        /// `type/*`
        case anySubtype = 2
        /// `type/subtype`
        case named = 3

        static func < (lhs: Specificity, rhs: Specificity) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// What the header says of one media type: the weight of its most specific matching range.
    struct Preference {
        /// The weight in thousandths, 0 (not acceptable) ... 1000.
        var weight: Int
        /// How specific the range that gave the weight is.
        var specificity: Specificity
        /// Whether the range names the type itself (not a wildcard).
        var isNamed: Bool { specificity == .named }
    }

    private let value: Substring.UTF8View

    /// The header with value `value`.
    init(_ value: String) {
        self.value = Substring(value).utf8
    }

    /// The preference for `mediaType` (lower-case `type/subtype`), nil when no range matches it. Of equally
    /// specific ranges the first counts.
    func preference(for mediaType: String) -> Preference? {
        var best: Preference?
        var rest = value[...]
        while !rest.isEmpty {
            let end = rest.firstIndex(of: UInt8(ascii: ",")) ?? rest.endIndex
            let entry = rest[..<end]
            rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
            let rangeEnd = entry.firstIndex(of: UInt8(ascii: ";")) ?? entry.endIndex
            let range = entry[..<rangeEnd].trimmingOptionalWhitespace
            guard let specificity = Self.specificity(of: range, for: mediaType) else { continue }
            if let best, specificity <= best.specificity { continue }
            best = Preference(weight: Self.weight(parameters: entry[rangeEnd...]), specificity: specificity)
        }
        return best
    }

    /// How `range` matches `mediaType`, nil when it does not.
    static func specificity(of range: Substring.UTF8View, for mediaType: String) -> Specificity? {
        if range.elementsEqual("*/*".utf8) { return .anyType }
        if range.count >= 2, range.suffix(2).elementsEqual("/*".utf8) {
            let type = range.dropLast(1)   // "type/"
            return equalsFoldingCase(type, mediaType.utf8.prefix(type.count)) ? .anySubtype : nil
        }
        return equalsFoldingCase(range, mediaType.utf8[...]) ? .named : nil
    }

    /// The weight in thousandths from a range's parameters (`;charset=utf-8;q=0.5`): its first `q`, else 1000.
    static func weight(parameters: Substring.UTF8View) -> Int {
        var rest = parameters
        while let separator = rest.firstIndex(of: UInt8(ascii: ";")) {
            rest = rest[rest.index(after: separator)...]
            let end = rest.firstIndex(of: UInt8(ascii: ";")) ?? rest.endIndex
            let parameter = rest[..<end].trimmingOptionalWhitespace
            guard parameter.count >= 2, parameter.first! | 0x20 == UInt8(ascii: "q"),
                  parameter.dropFirst().first == UInt8(ascii: "=") else { continue }
            return qualityValue(parameter.dropFirst(2).trimmingOptionalWhitespace) ?? 1000
        }
        return 1000
    }

    /// A qvalue (`0`, `0.`, `0.25`, `1`, `1.000`) in thousandths; nil when it breaks the grammar.
    static func qualityValue(_ text: Substring.UTF8View) -> Int? {
        guard let first = text.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        let fraction = text.dropFirst()
        guard !fraction.isEmpty else { return first == UInt8(ascii: "1") ? 1000 : 0 }
        let digits = fraction.dropFirst()
        guard fraction.first == UInt8(ascii: "."), digits.count <= 3,
              digits.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else { return nil }
        if first == UInt8(ascii: "1") { return digits.allSatisfy { $0 == UInt8(ascii: "0") } ? 1000 : nil }
        var thousandths = 0
        for digit in digits { thousandths = thousandths * 10 + Int(digit - UInt8(ascii: "0")) }
        for _ in digits.count..<3 { thousandths *= 10 }
        return thousandths
    }

    /// Whether `bytes` equal `lowercase` with ASCII letters compared case-insensitively.
    static func equalsFoldingCase(_ bytes: Substring.UTF8View, _ lowercase: Substring.UTF8View) -> Bool {
        bytes.elementsEqual(lowercase) { byte, expected in (byte &- 65 < 26 ? byte | 0x20 : byte) == expected }
    }
}
