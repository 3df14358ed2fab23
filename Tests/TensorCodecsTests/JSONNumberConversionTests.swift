#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
import RoPE
import TensorCodecs

/// Tensor numbers must be exactly what strtof gives, bit for bit.
@Suite struct JSONNumberConversionTests {
    /// strtof on a Swift string.
    static func strtofValue(_ literal: String) -> Float {
        literal.withCString { strtof($0, nil) }
    }

    /// Random decimal literals of every shape the grammar allows: up to 30 significant digits, fractions,
    /// exponents with and without sign, both 'e' and 'E'.
    static func randomLiteral(_ generator: inout SeededGenerator) -> String {
        var text: [UInt8] = []
        if generator.next() & 1 == 0 { text.append(UInt8(ascii: "-")) }
        let digit = { (generator: inout SeededGenerator) -> UInt8 in UInt8(48 + generator.next() % 10) }
        let integerDigits = Int(generator.next() % 21)
        if integerDigits == 0 {
            text.append(UInt8(ascii: "0"))
        } else {
            text.append(UInt8(49 + generator.next() % 9))
            for _ in 1..<integerDigits { text.append(digit(&generator)) }
        }
        if generator.next() % 3 != 0 {
            text.append(UInt8(ascii: "."))
            let fractionDigits = 1 + Int(generator.next() % 30)
            // Runs of leading zeros exercise the small-magnitude paths.
            let zeros = generator.next() % 4 == 0 ? Int(generator.next() % 40) : 0
            for _ in 0..<zeros { text.append(UInt8(ascii: "0")) }
            for _ in 0..<fractionDigits { text.append(digit(&generator)) }
        }
        if generator.next() % 2 == 0 {
            text.append(generator.next() & 1 == 0 ? UInt8(ascii: "e") : UInt8(ascii: "E"))
            switch generator.next() % 3 {
            case 0: text.append(UInt8(ascii: "+"))
            case 1: text.append(UInt8(ascii: "-"))
            default: break
            }
            text.append(contentsOf: String(generator.next() % 50).utf8)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Literals near float32 values: shortest forms, 17-digit Double forms (what json.dumps of float32 data
    /// sends), exact midpoints between neighbours and the Doubles just either side of them.
    static func floatDerivedLiterals(_ generator: inout SeededGenerator) -> [String] {
        let value = generator.finiteFloat()
        let neighbour = value.nextUp.isFinite ? value.nextUp : value.nextDown
        let midpoint = (Double(value) + Double(neighbour)) / 2
        return [value.description, Double(value).description, midpoint.description,
                midpoint.nextUp.description, midpoint.nextDown.description]
    }

    static let edgeLiterals = [
        "0", "-0", "0.0", "-0.0", "0e10", "0.000e-99999", "0E+0", "1", "-1", "10", "1e0", "1E+0",
        "3.4028235e38", "3.4028234663852886e38", "3.40282346638528859811704183484516925440e+38",
        "3.4028235677973362e38", "-3.4028235e38", "1.17549435e-38", "1.1754942e-38", "1.1754943508222875e-38",
        "1e-45", "1.4e-45", "1.401298464324817e-45", "7.006492321624086e-46", "7.006492321624087e-46",
        "7e-46", "2.1e-45", "1e-46", "1e-99999", "4.9406564584124654e-324",
        "0.1", "0.2", "0.3", "1.1", "16777216", "16777217", "16777218", "16777219", "33554431", "33554433",
        "9007199254740993", "9007199254740992.5", "18446744073709551615", "18446744073709551616",
        "1234567890123456789", "12345678901234567890", "0.000001", "1e-7", "1e22", "1e23", "1e-22", "1e-23",
        "123456789012345678901234567890", "0.123456789012345678901234567890", "1.00000005960464477539062",
        "1.000000059604644775390625", "1.0000000596046447753906251", "1.0000001788139343", "8388608.5",
        "8388609.5", "0.000000000000000000000000000000000000000000001", "100000000000000000000000000000000000000",
    ]

    /// Parses `literals` as one tensor, `separator` between them, and compares every element with strtof, bit for bit.
    static func checkAgainstStrtof(_ literals: [String], separator: String = ",") throws {
        let finite = literals.filter { strtofValue($0).isFinite }
        let body = "{\"embeddings\":[" + finite.joined(separator: separator) + "]}"
        let tensor = try #require(try CodecTestSupport.parseJSON(body).tensors["embeddings"])
        #expect(tensor.values.count == finite.count)
        var mismatches = 0
        for (literal, value) in zip(finite, tensor.values) where value.bitPattern != strtofValue(literal).bitPattern {
            mismatches += 1
            if mismatches <= 10 {
                let bits = String(value.bitPattern, radix: 16)
                Issue.record("\(literal): parsed \(value) (0x\(bits)), strtof gives \(strtofValue(literal))")
            }
        }
        #expect(mismatches == 0)
    }

    @Test func edgeCasesMatchStrtof() throws {
        try Self.checkAgainstStrtof(Self.edgeLiterals)
    }

    @Test(arguments: 0..<5)
    func randomLiteralsMatchStrtof(chunk: Int) throws {
        var generator = SeededGenerator(seed: 0x5EED_0000 + UInt64(chunk))
        try Self.checkAgainstStrtof((0..<100_000).map { _ in Self.randomLiteral(&generator) })
    }

    @Test(arguments: 0..<5)
    func floatDerivedLiteralsMatchStrtof(chunk: Int) throws {
        var generator = SeededGenerator(seed: 0xF10A_0000 + UInt64(chunk))
        try Self.checkAgainstStrtof((0..<20_000).flatMap { _ in Self.floatDerivedLiterals(&generator) })
    }

    @Test func signedZerosKeepTheirSign() throws {
        let body = try CodecTestSupport.parseJSON("{\"embeddings\":[-0.0, 0, -0e5]}")
        let tensor = try #require(body.tensors["embeddings"])
        #expect(tensor.values.map(\.bitPattern) == [(-0.0 as Float).bitPattern, 0, (-0.0 as Float).bitPattern])
    }

    @Test(arguments: ["3.4028236e38", "1e39", "-1e39", "3.40282356779733661637539395458142568448e38", "1e99999"])
    func overflowIsInvalid(literal: String) throws {
        let error = try #require(CodecTestSupport.jsonError("{\"embeddings\": [[1, \(literal)]]}"))
        #expect(error.kind == .invalid)
        #expect(error.field == "embeddings")
        #expect(error.offset == 20)
        #expect(error.message.contains("overflows float32"))
    }

    @Test(arguments: ["01", "-01", "1.", ".5", "+1", "NaN", "Infinity", "-Infinity", "-", "1e", "1e+", "1.e5",
                      "0x10", "1_000", "--1", "1..2", "١"])
    func nonJSONNumbersAreMalformed(literal: String) throws {
        let error = try #require(CodecTestSupport.jsonError("{\"embeddings\": [\(literal)]}"))
        #expect(error.kind == .malformed, "\(literal): \(error)")
        #expect(error.field == "embeddings")
        #expect(!error.message.isEmpty)
    }

    @Test func jsonNumberKeepsTheLiteral() throws {
        let body = try CodecTestSupport.parseJSON(
            #"{"a": 1e3, "b": -7, "c": 0.1, "d": 123456789012345678901234567890}"#)
        guard case .number(let a)? = body.fields["a"], case .number(let b)? = body.fields["b"],
              case .number(let c)? = body.fields["c"], case .number(let d)? = body.fields["d"] else {
            Issue.record("numbers missing: \(body.fields)")
            return
        }
        #expect(a.literal == "1e3" && a.doubleValue == 1000 && !a.isInteger && a.integerValue == nil)
        #expect(b.isInteger && b.integerValue == -7 && b.doubleValue == -7)
        #expect(c.doubleValue == 0.1 && c.integerValue == nil)
        #expect(d.isInteger && d.integerValue == nil && d.doubleValue == 1.2345678901234568e29)
        #expect(JSONNumber(literal: "01") == nil && JSONNumber(literal: "1.") == nil && JSONNumber(literal: "") == nil)
        #expect(JSONNumber(literal: "-0.5e-3")?.doubleValue == -0.0005)
    }
}
