import Foundation
import Testing
import RoPE
import TensorCodecs

/// The writer's output is valid JSON, numbers read back bit for bit, floats are shortest.
@Suite struct JSONWriterTests {
    typealias Support = CodecTestSupport

    /// The text of one float written as a rank-0 tensor.
    static func written(_ value: Float) -> String {
        var writer = JSONWriter(capacity: 0)
        [value].withUnsafeBufferPointer { writer.tensor($0, shape: []) }
        return Support.text(of: writer.finish())
    }

    /// A decimal as (significant digits, exponent of the last digit), e.g. "1.25e-3" -> ("125", -5).
    static func normalizedDecimal(_ text: String) -> (digits: String, exponent: Int) {
        let lowered = text.lowercased()
        let parts = lowered.split(separator: "e")
        var exponent = parts.count > 1 ? Int(parts[1])! : 0
        var digits = ""
        var seenPoint = false
        for character in parts[0] where character != "-" {
            if character == "." { seenPoint = true; continue }
            digits.append(character)
            if seenPoint { exponent -= 1 }
        }
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst() }
        while digits.hasSuffix("0") && digits.count > 1 {
            digits.removeLast()
            exponent += 1
        }
        return (digits, exponent)
    }

    @Test func writesAnObjectOfEveryKindAsValidJSON() throws {
        var writer = JSONWriter(capacity: 4)
        writer.beginObject()
        writer.key("a")
        writer.value(1.5)
        writer.key("b")
        writer.value(-42)
        writer.key("c")
        writer.value(true)
        writer.key("d")
        writer.value("quote\" backslash\\ newline\n tab\t bell\u{7} é😀")
        writer.key("e")
        writer.valueNull()
        writer.key("f")
        writer.beginArray()
        writer.value(Double.infinity)
        writer.value(Double.nan)
        writer.value(1e-5)
        writer.value(-0.0)
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.endArray()
        writer.key("g")
        writer.value(false)
        writer.endObject()
        let text = Support.text(of: writer.finish())
        #expect(text == #"{"a":1.5,"b":-42,"c":true,"d":"quote\" backslash\\ newline\n tab\t bell\u0007 é😀","#
                    + #""e":null,"f":[null,null,1e-05,-0.0,{},[]],"g":false}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(parsed?["d"] as? String == "quote\" backslash\\ newline\n tab\t bell\u{7} é😀")
    }

    @Test func specificFloatsTakeTheirShortestForm() {
        let expected: [(Float, String)] = [
            (0, "0"), (-0.0, "-0.0"), (2, "2"), (-2, "-2"), (0.1, "0.1"), (1.5, "1.5"), (100, "100"),
            (1e-5, "1e-5"), (0.001, "1e-3"), (0.0012345678, "0.0012345678"), (1e10, "1e10"), (123456792, "123456790"),
            (16777216, "16777216"),
            (.greatestFiniteMagnitude, "3.4028235e38"), (-.greatestFiniteMagnitude, "-3.4028235e38"),
            (.leastNonzeroMagnitude, "1e-45"), (.leastNormalMagnitude, "1.1754944e-38"), (1.0 / 3.0, "0.33333334"),
            (.infinity, "null"), (-.infinity, "null"), (.nan, "null"), (-.nan, "null"), (.signalingNaN, "null"),
        ]
        for (value, text) in expected {
            #expect(Self.written(value) == text, "\(value)")
        }
    }

    /// One number for every point position of plain notation with a point (the table-driven common layout), and
    /// for the other layouts around their limits: "0.00ddd" against scientific, integers with up to four zeros,
    /// scientific with one- and two-digit and negative exponents, and numbers needing nine digits.
    @Test func everyLayoutFollowsTheRules() {
        let expected: [(Float, String)] = [
            (0.05, "0.05"), (-0.05, "-0.05"), (0.0625, "0.0625"), (0.5, "0.5"), (0.12345679, "0.12345679"),
            (1.5, "1.5"), (-1.5, "-1.5"), (12.5, "12.5"), (123.25, "123.25"), (1234.125, "1234.125"),
            (12345.0625, "12345.0625"), (123456.03, "123456.03"), (1234567.5, "1234567.5"),
            (0.01, "0.01"), (0.0015, "0.0015"), (0.00123, "0.00123"), (0.000123, "1.23e-4"), (5e-5, "5e-5"),
            (9.999999e-5, "9.999999e-5"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (-1e-7, "-1e-7"),
            (1000, "1e3"), (123000, "123000"), (-123000, "-123000"), (1230000, "1.23e6"), (16777215, "16777215"),
            (8388608, "8388608"), (1e9, "1e9"), (3e10, "3e10"), (1e38, "1e38"),
            (1.0000001, "1.0000001"), (0.999999, "0.999999"), (2.7182817, "2.7182817"), (3.1415927, "3.1415927"),
            (Float(bitPattern: 0x3DCC_D8AC), "0.100022644"), (Float(bitPattern: 0x3DCD_1407), "0.100135855"),
        ]
        for (value, text) in expected {
            #expect(Self.written(value) == text, "\(value)")
            #expect(Self.expectedText(value) == text, "rule for \(value)")
        }
    }

    /// Standard normal values and the same rotated by RoPE angles, as tensors of that kind hold: the text is
    /// the rules' exactly and reads back bit for bit.
    @Test func normalAndRotatedValuesFollowTheRules() throws {
        var generator = SeededGenerator(seed: 0x5EED_0042)
        let normal: [Float] = (0..<40_000).map { _ in
            let u1 = max(Double(generator.next() >> 11) * 0x1p-53, 0x1p-60)
            let u2 = Double(generator.next() >> 11) * 0x1p-53
            return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
        let rotated: [Float] = stride(from: 0, to: normal.count, by: 2).flatMap { pair -> [Float] in
            let theta = Float(pair / 128) * pow(10_000, -Float(pair % 128) / 128)
            let (a, b) = (normal[pair], normal[pair + 1])
            return [a * cos(theta) - b * sin(theta), a * sin(theta) + b * cos(theta)]
        }
        try Self.expectShortestAndBitwise(normal.filter { $0 != 0 })
        try Self.expectShortestAndBitwise(rotated.filter { $0 != 0 })
    }

    @Test(arguments: 0..<4)
    func floatsAreShortestAndReadBackBitwise(chunk: Int) throws {
        var generator = SeededGenerator(seed: 0xD16_0000 + UInt64(chunk))
        var values = (0..<50_000).map { _ in generator.finiteFloat() }
        // Powers of two (lopsided intervals), subnormals and integers alongside the random bit patterns.
        values += (-149...127).map { Float(sign: .plus, exponent: $0, significand: 1) }
        values += (0..<2_000).map { _ in Float(bitPattern: UInt32(generator.next() % 0x80_0000)) }
        values += (0..<2_000).map { _ in Float(Int(generator.next() % 20_000_000) - 10_000_000) }
        try Self.expectShortestAndBitwise(values)
    }

    /// Every 4099th finite bit pattern (~520k floats over all binades and the subnormals, alternating signs), in
    /// four chunks that run in parallel: a sweep of the integer-only (Ryū) formatter's every exponent branch.
    @Test(arguments: 0..<4)
    func stridedSweepOfAllFloatsIsShortestAndReadsBack(chunk: Int) throws {
        let stride: UInt32 = 4099
        let end: UInt32 = 0x7F80_0000  // +infinity, after the greatest finite magnitude
        let chunkLength = end / 4 + 1
        var values: [Float] = []
        var bits = UInt32(chunk) * chunkLength
        while bits < min(end, UInt32(chunk + 1) * chunkLength) {
            values.append(Float(bitPattern: bits | (values.count & 1 == 0 ? 0 : 0x8000_0000)))
            bits += stride
        }
        // Zero is "0" here but "0.0" in Float.description; specificFloatsTakeTheirShortestForm covers it.
        try Self.expectShortestAndBitwise(values.filter { $0 != 0 })
    }

    /// The edges: both neighbours of every power of two (lopsided intervals) and of every power of ten, the
    /// subnormal range's ends, the normal range's top, integers around 2^24, and exact ties at the shortest length
    /// (x.25 and x.75 in [2^21, 2^22), where two 8-digit decimals are equally close).
    @Test func edgeFloatsAreShortestAndReadBack() throws {
        var values: [Float] = []
        for exponent in -149...127 {
            let power = Float(sign: .plus, exponent: exponent, significand: 1)
            values += [power.nextDown.nextDown, power.nextDown, power, power.nextUp, power.nextUp.nextUp]
        }
        for exponent in -45...38 {
            let power = Float("1e\(exponent)")!
            values += [power.nextDown.nextDown, power.nextDown, power, power.nextUp, power.nextUp.nextUp]
        }
        values += (UInt32(1)...2_000).map { Float(bitPattern: $0) }
        values += (UInt32(0x7F_F000)...0x80_1000).map { Float(bitPattern: $0) }
        values += (UInt32(0x7F7F_F000)...0x7F7F_FFFF).map { Float(bitPattern: $0) }
        values += (16_777_216 - 2_000...16_777_216 + 2_000).map { Float($0) }
        values += (0..<2_000).map { Float(2_097_152 + $0) + ($0 & 1 == 0 ? 0.25 : 0.75) }
        values = values.filter { $0.isFinite && $0 != 0 }
        values += values.map { -$0 }
        try Self.expectShortestAndBitwise(values)
    }

    /// The JSON text of a nonzero finite Float by the writer's rules, from Float.description's digits (shortest,
    /// then closest): plain notation ("0.0125", "12.5", "100") or scientific ("1.25e-7", "3e10"), whichever is
    /// shorter, plain on a tie; no ".0" on integers, no '+' or leading zeros in the exponent.
    static func expectedText(_ value: Float) -> String {
        let (digits, exponent) = normalizedDecimal(value.description)
        let pointPosition = digits.count + exponent
        let sign = value.sign == .minus ? "-" : ""
        let plain: String
        if pointPosition <= 0 {
            plain = "0." + String(repeating: "0", count: -pointPosition) + digits
        } else if pointPosition < digits.count {
            plain = String(digits.prefix(pointPosition)) + "." + String(digits.dropFirst(pointPosition))
        } else {
            plain = digits + String(repeating: "0", count: pointPosition - digits.count)
        }
        let fraction = digits.count > 1 ? "." + String(digits.dropFirst()) : ""
        let scientific = String(digits.prefix(1)) + fraction + "e\(pointPosition - 1)"
        return sign + (plain.count <= scientific.count ? plain : scientific)
    }

    /// Writes `values` as one tensor and expects every number to read back bit for bit, to carry the digits and
    /// exponent of Float.description (shortest, then closest), and to be laid out exactly as `expectedText` says.
    static func expectShortestAndBitwise(_ values: [Float]) throws {
        var writer = JSONWriter(capacity: 0)
        values.withUnsafeBufferPointer { writer.tensor($0, shape: [values.count]) }
        let text = Support.text(of: writer.finish())
        let tokens = text.dropFirst().dropLast().split(separator: ",").map(String.init)
        try #require(tokens.count == values.count)
        var failures = 0
        for (value, token) in zip(values, tokens) {
            let readBack = Float(token)
            let shortest = Self.normalizedDecimal(value.description)
            let mine = Self.normalizedDecimal(token)
            if readBack?.bitPattern != value.bitPattern || mine.digits != shortest.digits
                || mine.exponent != shortest.exponent || token != Self.expectedText(value) {
                failures += 1
                if failures <= 10 {
                    Issue.record("\(value.description) (0x\(String(value.bitPattern, radix: 16))) written as \(token)")
                }
            }
        }
        #expect(failures == 0)
    }

    @Test func tensorNestingFollowsTheShape() throws {
        let values: [Float] = (0..<24).map { Float($0) / 4 }
        var writer = JSONWriter(capacity: 0)
        writer.beginObject()
        writer.key("t")
        values.withUnsafeBufferPointer { writer.tensor($0, shape: [2, 3, 4]) }
        writer.key("empty")
        [Float]().withUnsafeBufferPointer { writer.tensor($0, shape: [2, 0]) }
        writer.key("cells")
        [Float.nan, 1, -.infinity].withUnsafeBufferPointer { writer.tensor($0, shape: [3]) }
        writer.endObject()
        let text = Support.text(of: writer.finish())
        #expect(text == #"{"t":[[[0,0.25,0.5,0.75],[1,1.25,1.5,1.75],[2,2.25,2.5,2.75]],"#
                    + #"[[3,3.25,3.5,3.75],[4,4.25,4.5,4.75],[5,5.25,5.5,5.75]]],"#
                    + #""empty":[[],[]],"cells":[null,1,null]}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect((parsed?["t"] as? [[[Double]]])?[1][2][3] == 5.75)
    }

    @Test func doublesReadBackBitwise() throws {
        var generator = SeededGenerator(seed: 77)
        let values: [Double] = (0..<3_000).map { _ in
            Double(bitPattern: generator.next())
        }.filter(\.isFinite)
            + [0, -0.0, Double(bitPattern: 0x0000_1000_0000_0001), .greatestFiniteMagnitude, 1e21, 1e-7, 0.1]
        var writer = JSONWriter(capacity: 0)
        writer.doubles(values, shape: [values.count])
        let text = Support.text(of: writer.finish())
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let tokens = text.dropFirst().dropLast().split(separator: ",")
        #expect(zip(values, tokens).allSatisfy { Double(String($1))?.bitPattern == $0.bitPattern })
        var table = JSONWriter(capacity: 0)
        table.doubles([1, 2, .nan, 4, 5, .infinity], shape: [2, 3])
        #expect(Support.text(of: table.finish()) == "[[1.0,2.0,null],[4.0,5.0,null]]")
    }

    @Test func responseBufferGrowsAndDetaches() {
        var buffer = ResponseBuffer(capacity: 1)
        buffer.append(UInt8(ascii: "a"))
        buffer.append("bc")
        buffer.append(contentsOf: String(repeating: "é", count: 1_000))
        [UInt8](repeating: 0x7A, count: 3).withUnsafeBytes { buffer.append($0) }
        #expect(buffer.count == 3 + 2_000 + 3)
        let (pointer, count) = buffer.detach()
        let bytes = UnsafeRawBufferPointer(start: pointer, count: count)
        #expect(bytes.first == UInt8(ascii: "a") && bytes.last == 0x7A && count == 2_006)
        free(pointer)
    }
}
