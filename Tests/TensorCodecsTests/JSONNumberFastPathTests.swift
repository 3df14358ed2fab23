import Foundation
import Testing
import RoPE
import TensorCodecs

/// The tensor reader's fast literal path (eight-byte digit runs, bounded-error Double conversion) against strtof,
/// and against the general scanner it hands unusual literals to: same values bit for bit, same errors at the same
/// offsets, same limits. Seeded and bounded, so it runs in CI in a second or two; `tools/float-parse-check` sweeps
/// the float32 bit patterns offline.
@Suite struct JSONNumberFastPathTests {
    /// strtof on a Swift string (the conversion suite's).
    static func strtofValue(_ literal: String) -> Float {
        JSONNumberConversionTests.strtofValue(literal)
    }

    /// A random literal of the shapes the fast path takes and of those just beyond it: 1 to 9 integer digits, 1 to
    /// 25 fraction digits (runs of leading zeros included), exponents of 1 to 4 digits with and without sign, and
    /// the three float32 text forms (shortest, 9 digits, 17-digit Double as json.dumps writes).
    static func randomLiteral(_ generator: inout SeededGenerator) -> String {
        switch generator.next() % 8 {
        case 0:
            return generator.finiteFloat().description
        case 1:
            return Double(generator.finiteFloat()).description
        case 2:
            return String(format: "%.9g", Double(generator.finiteFloat()))
        default:
            break
        }
        var text = generator.next() & 1 == 0 ? "-" : ""
        let digit = { (generator: inout SeededGenerator) -> Character in
            Character(Unicode.Scalar(UInt8(48 + generator.next() % 10)))
        }
        let integerDigits = generator.next() % 4 == 0 ? 1 + Int(generator.next() % 9) : 1
        if integerDigits == 1 {
            text.append(digit(&generator))
        } else {
            text.append(Character(Unicode.Scalar(UInt8(49 + generator.next() % 9))))
            for _ in 1..<integerDigits { text.append(digit(&generator)) }
        }
        if generator.next() % 6 != 0 {
            text.append(".")
            if generator.next() % 4 == 0 {
                text.append(String(repeating: "0", count: Int(generator.next() % 12)))
            }
            for _ in 0...(generator.next() % 25) { text.append(digit(&generator)) }
        }
        if generator.next() % 3 == 0 {
            text.append(generator.next() & 1 == 0 ? "e" : "E")
            switch generator.next() % 3 {
            case 0: text.append("+")
            case 1: text.append("-")
            default: break
            }
            let exponentDigits = generator.next() % 10 == 0 ? 4 : 1 + Int(generator.next() % 3)
            for _ in 0..<exponentDigits { text.append(digit(&generator)) }
        }
        return text
    }

    /// Literals within a few digits of a float32 rounding midpoint (the exact midpoint rounded to 8...19
    /// significant digits in both exponent styles, or to 15 and 16 fraction digits without exponent for values
    /// in [0.1, 10), which the fast path's exponent-free branch reads), where a fast conversion with too small an
    /// error guard would round the wrong way.
    static func nearMidpointLiteral(_ generator: inout SeededGenerator) -> String {
        var value = generator.finiteFloat().magnitude
        if generator.next() & 1 == 0 {
            value = Float(
                bitPattern: (Float(0.1).bitPattern ... Float(9.999).bitPattern).randomElement(using: &generator)!)
        }
        if !value.nextUp.isFinite { value = value.nextDown }
        let midpoint = (Double(value) + Double(value.nextUp)) / 2  // exact: 25 significant bits
        var text = generator.next() & 1 == 0 ? "-" : ""
        if generator.next() & 1 == 0 && midpoint < 10 && midpoint >= 0.1 {
            text += String(format: "%.*f", 15 + Int(generator.next() % 2), midpoint)
        } else {
            text += String(format: "%.*e", 7 + Int(generator.next() % 12), midpoint)
            if generator.next() & 1 == 0 { text = text.replacingOccurrences(of: "e", with: "E") }
        }
        return text
    }

    /// Parses `literals` as one flat tensor with `separator` between them and compares every element with strtof.
    /// The last few literals sit within the fast path's window of the body end, so they take the general path.
    static func checkAgainstStrtof(_ literals: [String], separator: String = ",") throws {
        try JSONNumberConversionTests.checkAgainstStrtof(literals, separator: separator)
    }

    @Test(arguments: 0..<4)
    func randomLiteralsMatchStrtof(chunk: Int) throws {
        var generator = SeededGenerator(seed: 0xFA57_0000 + UInt64(chunk))
        let separators = [",", ", ", ",\n  ", " ,\t"]
        try Self.checkAgainstStrtof((0..<50_000).map { _ in Self.randomLiteral(&generator) },
                                    separator: separators[chunk])
    }

    @Test func nearMidpointLiteralsMatchStrtof() throws {
        var generator = SeededGenerator(seed: 0x3D_0000)
        try Self.checkAgainstStrtof((0..<50_000).map { _ in Self.nearMidpointLiteral(&generator) })
    }

    /// A body of `count` random one-integer-digit literals, `-?d.` and a fraction of 1 to 24 digits (the fast
    /// path's sixteen-byte digit run, the digits after it, and fractions too long for it), half of them with an
    /// exponent of 1 to 3 digits, between ',' or ', '; digits are uniform or mostly 0s or mostly 9s (the carries
    /// of the digit combining steps). Returns the body and strtof's value of each literal, read from the body
    /// itself (a literal whose value overflows is not added).
    static func fractionRunBody(count: Int, _ generator: inout SeededGenerator) -> (body: [UInt8], expected: [UInt32]) {
        var body = Array("{\"embeddings\":[".utf8)
        var expected: [UInt32] = []
        expected.reserveCapacity(count)
        body.reserveCapacity(count * 24)
        var literal: [UInt8] = []
        while expected.count < count {
            literal.removeAll(keepingCapacity: true)
            var bits = generator.next()
            if bits & 1 == 0 { literal.append(UInt8(ascii: "-")) }
            let digitStyle = (bits >> 1) % 4  // 0, 1: uniform; 2: mostly 0s; 3: mostly 9s
            let fractionDigits = 1 + Int((bits >> 3) % 24)
            let hasExponent = (bits >> 8) & 1 == 0
            bits = generator.next()
            func digit() -> UInt8 {
                if bits < 1 << 8 { bits = generator.next() }
                let draw = bits % 64
                bits >>= 6
                switch digitStyle {
                case 2 where draw < 48: return UInt8(ascii: "0")
                case 3 where draw < 48: return UInt8(ascii: "9")
                default: return UInt8(ascii: "0") + UInt8(draw % 10)
                }
            }
            literal.append(digit())
            literal.append(UInt8(ascii: "."))
            for _ in 0..<fractionDigits { literal.append(digit()) }
            if hasExponent {
                let exponent = generator.next()
                literal.append(exponent & 1 == 0 ? UInt8(ascii: "e") : UInt8(ascii: "E"))
                switch (exponent >> 1) % 3 {
                case 0: literal.append(UInt8(ascii: "-"))
                case 1: literal.append(UInt8(ascii: "+"))
                default: break
                }
                literal.append(contentsOf: String((exponent >> 3) % (exponent & 0x100 == 0 ? 46 : 1000)).utf8)
            }
            literal.append(0)
            let value = literal.withUnsafeBufferPointer {
                strtof(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), nil)
            }
            guard value.isFinite else { continue }
            literal.removeLast()
            if !expected.isEmpty {
                body.append(UInt8(ascii: ","))
                if generator.next() % 4 == 0 { body.append(UInt8(ascii: " ")) }
            }
            body.append(contentsOf: literal)
            expected.append(value.bitPattern)
        }
        body.append(contentsOf: Array("]}".utf8))
        return (body, expected)
    }

    @Test(arguments: 0..<4)
    func fractionRunsMatchStrtof(chunk: Int) throws {
        var generator = SeededGenerator(seed: 0x16D1_0000 + UInt64(chunk))
        let (body, expected) = Self.fractionRunBody(count: 500_000, &generator)
        let tensor = try #require(try CodecTestSupport.parseJSON(body).tensors["embeddings"])
        try #require(tensor.values.count == expected.count)
        var mismatches = 0
        for index in expected.indices where tensor.values[index].bitPattern != expected[index] {
            mismatches += 1
            if mismatches <= 10 {
                let parsed = String(tensor.values[index].bitPattern, radix: 16)
                let reference = String(expected[index], radix: 16)
                Issue.record("element \(index): parsed 0x\(parsed), strtof gives 0x\(reference)")
            }
        }
        #expect(mismatches == 0)
    }

    /// Each power of ten the conversion multiplies by, with short and long significands, and the edges of its
    /// range (beyond it strtof decides); overflowing ones are left out here and checked below.
    @Test func everyPowerOfTenMatchesStrtof() throws {
        var literals: [String] = []
        for exponent in -90...45 {
            for mantissa in ["1", "9.999999", "1.2345678", "3.4028235", "1.1754944", "7.0064923", "0.3455841839313507",
                             "5.000000000000001", "-2.7182818284590452", "9.87654321098765432"] {
                literals.append("\(mantissa)e\(exponent)")
            }
        }
        try Self.checkAgainstStrtof(literals)
    }

    /// The literal `literal` placed at the same offset twice: with more elements after it (the fast path reads it)
    /// and at the end of the body (the general scanner reads it). Values and errors must be identical.
    static func fastAndGeneralResults(_ literal: String, limits: CodecLimits = CodecLimits())
        -> (fast: Result<[Float], CodecError>, general: Result<[Float], CodecError>)
    {
        let padding = String(repeating: ",0.25", count: 12)
        func parse(_ body: String) -> Result<[Float], CodecError> {
            do throws(CodecError) {
                let parsed = try CodecTestSupport.parseJSON(body, limits: limits)
                return .success(parsed.tensors["embeddings"]?.values ?? [])
            } catch {
                return .failure(error)
            }
        }
        let fast = parse("{\"embeddings\":[\(literal)\(padding)]}").map { Array($0.prefix(1)) }
        let general = parse("{\"embeddings\":[\(literal)]}").map { Array($0.prefix(1)) }
        return (fast, general)
    }

    @Test(arguments: ["01", "-01", "00.5", "1.", "-1.", "1.e5", ".5", "-.5", "+1", "-", "--1", "1e", "1e+", "1E-",
                      "1.5e", "1.5x", "1.5.5", "0x10", "1_000", "1..2", "-a", "NaN", "Infinity", "-Infinity",
                      "1e99999", "3.4028236e38", "-1e39", "0.34558418393135071e39", "1e-46", "-0.0", "0e5",
                      "12345678.5", "1234567.12345678", "0.1234567890123456789012345", "1.5e1000", "1.5e0001",
                      "9.9999999999999999999999", "1e-45", "1.17549435e-38", "3.40282346e38", "00", "-0",
                      "0.12:", "0.12/", "-9.9999999999999999:", "1.234567890123456/", "0.000000000000000:"])
    func fastPathAgreesWithGeneralScanner(literal: String) {
        let (fast, general) = Self.fastAndGeneralResults(literal)
        switch (fast, general) {
        case let (.success(a), .success(b)):
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(literal)")
            #expect(a.first?.bitPattern == Self.strtofValue(literal).bitPattern, "\(literal)")
        case let (.failure(a), .failure(b)):
            // The same error at the same offset, except that what follows the literal differs (',' or ']').
            #expect(a.kind == b.kind && a.offset == b.offset && a.field == b.field, "\(literal): \(a) vs \(b)")
            if a.message != b.message {
                #expect(a.message.replacingOccurrences(of: "found ','", with: "found ']'") == b.message, "\(literal)")
            }
        default:
            Issue.record("\(literal): fast path \(fast), general scanner \(general)")
        }
    }

    /// A number length limit below the fast path's longest literal sends every literal to the general scanner,
    /// which enforces it; at and above it the fast literals are within any limit.
    @Test(arguments: [16, 20, 30, 31, 32])
    func numberLengthLimitHoldsOnBothPaths(limit: Int) throws {
        var limits = CodecLimits()
        limits.maxNumberLength = limit
        for length in [limit - 1, limit, limit + 1] where length >= 3 {
            let literal = "-0." + String(repeating: "3", count: length - 3)
            let (fast, general) = Self.fastAndGeneralResults(literal, limits: limits)
            for result in [fast, general] {
                switch result {
                case .success(let values):
                    #expect(length <= limit && values.first == Self.strtofValue(literal), "\(literal) limit \(limit)")
                case .failure(let error):
                    #expect(length > limit && error.kind == .tooLarge && error.offset == 15,
                            "\(literal) limit \(limit): \(error)")
                }
            }
        }
    }

    /// The element limit is enforced at the element that exceeds it, also across the collector's chunk boundary.
    @Test(arguments: [1, 511, 512, 513, 1024, 1500])
    func elementLimitAcrossChunks(limit: Int) throws {
        var limits = CodecLimits()
        limits.maxTensorElements = limit
        let literals = (0...limit).map { "0.\($0 % 10)5" }
        let exact = "{\"embeddings\":[" + literals.dropLast().joined(separator: ",") + "]}"
        let tensor = try #require(try CodecTestSupport.parseJSON(exact, limits: limits).tensors["embeddings"])
        #expect(tensor.values.count == limit && tensor.values.last == Self.strtofValue(literals[limit - 1]))
        let over = "{\"embeddings\":[" + literals.joined(separator: ",") + "]}"
        let error = try #require(CodecTestSupport.jsonError(over, limits: limits))
        let expectedOffset = "{\"embeddings\":[".utf8.count + literals.dropLast().reduce(0) { $0 + $1.utf8.count + 1 }
        #expect(error.kind == .tooLarge && error.offset == expectedOffset, "\(error)")
    }

    /// Rows of a 3-d tensor written with the spacing of pretty printers keep their shape and values.
    @Test func prettyPrintedTensorMatches() throws {
        var generator = SeededGenerator(seed: 0x9E77)
        let values = (0..<(3 * 4 * 40)).map { _ in Float(Double(generator.next() % 2_000_000) / 1_000_000 - 1) }
        var body = "{\n  \"embeddings\": [\n"
        for a in 0..<3 {
            body += "    [\n"
            for b in 0..<4 {
                let row = (0..<40).map { values[(a * 4 + b) * 40 + $0].description }
                body += "      [ " + row.joined(separator: " ,  ") + " ]" + (b < 3 ? ",\n" : "\n")
            }
            body += "    ]" + (a < 2 ? ",\n" : "\n")
        }
        body += "  ]\n}\n"
        let tensor = try #require(try CodecTestSupport.parseJSON(body).tensors["embeddings"])
        #expect(tensor.shape == [3, 4, 40])
        #expect(tensor.values.map(\.bitPattern) == values.map(\.bitPattern))
    }
}
