import Foundation

/// .npy request bodies built byte by byte, and readers of the answers, for the tests of .npy over HTTP.
public enum NPYBodies {
    /// A .npy v1.0 file; `descr`, Fortran order and truncation are for the error cases.
    public static func npy(_ values: [Float], shape: [Int], descr: String = "<f4", fortran: Bool = false,
                    dropLast: Int = 0, headerAlignment: Int = 64) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)"
            : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % headerAlignment != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        if descr == "<f8" {
            for value in values { withUnsafeBytes(of: Double(value).bitPattern.littleEndian) { bytes += $0 } }
        } else if descr == ">f4" {
            for value in values { withUnsafeBytes(of: value.bitPattern.bigEndian) { bytes += $0 } }
        } else {
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        }
        return Array(bytes.dropLast(dropLast))
    }

    /// Float32 values of a float32 .npy response.
    public static func values(ofNPY bytes: [UInt8]) throws -> (shape: [Int], values: [Float]) {
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        guard header.contains("'descr': '<f4'"),
              let shapeText = header.range(of: #"\(([0-9, ]*)\)"#, options: .regularExpression) else {
            throw NPYBodyError(description: "not a float32 .npy header: \(header)")
        }
        let shape = header[shapeText].dropFirst().dropLast().split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let data = bytes[(10 + headerLength)...]
        let values = stride(from: data.startIndex, to: data.endIndex, by: 4).map { index in
            Float(bitPattern: UInt32(data[index]) | UInt32(data[index + 1]) << 8 | UInt32(data[index + 2]) << 16
                  | UInt32(data[index + 3]) << 24)
        }
        return (shape, values)
    }

    /// Number literals of a JSON array field, parsed as Float from their text (null -> -inf).
    public static func literals(of field: String, in text: String) throws -> [Float] {
        guard let start = text.range(of: "\"\(field)\":") else {
            throw NPYBodyError(description: "no field '\(field)' in \(text.prefix(200))")
        }
        var depth = 0
        var end = start.upperBound
        for index in text[start.upperBound...].indices {
            if text[index] == "[" { depth += 1 }
            if text[index] == "]" { depth -= 1; if depth == 0 { end = index; break } }
        }
        return text[start.upperBound..<end].split(whereSeparator: { "[], ".contains($0) }).map { literal in
            literal == "null" ? -Float.infinity : Float(String(literal))!
        }
    }
}

/// A response that is not what an NPY reader here expects.
public struct NPYBodyError: Error, CustomStringConvertible {
    /// What was wrong.
    public var description: String
}
