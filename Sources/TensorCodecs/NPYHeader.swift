/// The validated preamble and header of a NumPy .npy file (format versions 1.0, 2.0 and 3.0).
struct NPYHeader {
    /// The element types the service accepts.
    enum ElementType {
        case float32
        case float64
        /// Only for position arrays (`NPYReader.readIntegers`).
        case int32
        case int64

        /// Bytes per element.
        var byteCount: Int {
            switch self {
            case .float32, .int32: 4
            case .float64, .int64: 8
            }
        }
    }

    /// Which dtypes a reader accepts.
    enum Accepted {
        /// float32 or float64 (tensors).
        case floats
        /// int32 or int64 (positions).
        case integers
        /// Any of the four, to find where an array ends in a body of several.
        case any
    }

    /// The element type from `descr`.
    var elementType: ElementType
    /// The shape from `shape`, every axis >= 0.
    var shape: [Int]
    /// Where the data begins in the file.
    var dataOffset: Int

    /// The six bytes every .npy file starts with.
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Reads and validates the preamble and the Python-dict header: magic, version, header length within the
    /// file, exactly the keys 'descr', 'fortran_order' and 'shape' in any order, trailing commas and spaces allowed.
    /// `accepted` says which dtypes pass: float32 ('<f4') and float64 ('<f8') for tensors, int32 ('<i4') and
    /// int64 ('<i8') for positions.
    static func parse(_ bytes: UnsafeRawBufferPointer, accepted: Accepted = .floats) throws(CodecError) -> NPYHeader {
        let prefixLength = min(bytes.count, magic.count)
        guard (0..<prefixLength).allSatisfy({ bytes[$0] == magic[$0] }) else {
            throw .at(0, .malformed, "not an .npy file: missing the \\x93NUMPY magic")
        }
        guard bytes.count >= 10 else {
            throw .at(bytes.count, .malformed, "truncated .npy: the file ends inside its preamble")
        }
        let major = bytes[6]
        let minor = bytes[7]
        guard (1...3).contains(major) && minor == 0 else {
            throw .at(6, .malformed, "unknown .npy format version \(major).\(minor) (1.0, 2.0 and 3.0 are understood)")
        }
        let headerStart: Int
        let headerLength: Int
        if major == 1 {
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        } else {
            guard bytes.count >= 12 else {
                throw .at(bytes.count, .malformed, "truncated .npy: the file ends inside its preamble")
            }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        }
        let dataOffset = headerStart + headerLength
        guard dataOffset <= bytes.count else {
            throw .at(bytes.count, .malformed, "truncated .npy: the header claims \(headerLength) bytes but the file "
                          + "ends at byte \(bytes.count)")
        }
        var dictionary = NPYHeaderDictionaryParser(bytes: bytes, position: headerStart, end: dataOffset)
        return try dictionary.parse(dataOffset: dataOffset, accepted: accepted)
    }
}

/// A strict parser of the Python literal dict in an .npy header, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
struct NPYHeaderDictionaryParser {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    /// Parses the dict and checks what it describes is a tensor the service accepts.
    mutating func parse(dataOffset: Int, accepted: NPYHeader.Accepted) throws(CodecError) -> NPYHeader {
        var descr: String?
        var fortranOrder: Bool?
        var shape: [Int]?
        var descrIsStructured = false
        try expect(UInt8(ascii: "{"), "'{' opening the header dict")
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "}") { break }
            let keyOffset = position
            let key = try quotedString()
            try expect(UInt8(ascii: ":"), "':' after '\(key)'")
            skipWhitespace()
            switch key {
            case "descr" where descr == nil && !descrIsStructured:
                if current == UInt8(ascii: "[") {
                    // A structured dtype is a list of fields; none of them can be a plain float tensor.
                    descrIsStructured = true
                    throw .at(position, .unsupported,
                              ".npy dtype is a structured record; send float32 ('<f4') or float64 ('<f8')")
                }
                descr = try quotedString()
            case "fortran_order" where fortranOrder == nil:
                fortranOrder = try boolean()
            case "shape" where shape == nil:
                shape = try tuple()
            case "descr", "fortran_order", "shape":
                throw .at(keyOffset, .malformed, "invalid .npy header: duplicate key '\(key)'")
            default:
                throw .at(keyOffset, .malformed,
                          "invalid .npy header: unexpected key '\(key)' (expected 'descr', 'fortran_order', 'shape')")
            }
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard current == UInt8(ascii: "}") else { throw unexpected(expecting: "',' or '}' in the header dict") }
            break
        }
        position += 1
        skipWhitespace()
        guard position == end else { throw unexpected(expecting: "only padding after the header dict") }
        guard let descr, let fortranOrder, let shape else {
            let missing = [("descr", descr == nil), ("fortran_order", fortranOrder == nil), ("shape", shape == nil)]
                .filter(\.1).map { "'\($0.0)'" }.joined(separator: ", ")
            throw .at(end, .malformed, "invalid .npy header: missing \(missing)")
        }
        let elementType: NPYHeader.ElementType
        switch descr {
        case "<i4" where accepted != .floats: elementType = .int32
        case "<i8" where accepted != .floats: elementType = .int64
        case "<f4" where accepted == .any: elementType = .float32
        case "<f8" where accepted == .any: elementType = .float64
        case _ where accepted == .integers:
            throw .at(10, .unsupported, ".npy dtype '\(descr)' is not supported for positions; send little endian "
                          + "int32 ('<i4') or int64 ('<i8')")
        case "<f4": elementType = .float32
        case "<f8": elementType = .float64
        case ">f4", ">f8":
            throw .at(10, .unsupported, ".npy data is big endian ('\(descr)'); send little endian '<f4' or '<f8'")
        default:
            throw .at(10, .unsupported,
                      ".npy dtype '\(descr)' is not supported; send float32 ('<f4') or float64 ('<f8')")
        }
        guard !fortranOrder else {
            throw .at(10, .unsupported, ".npy data is in Fortran order; send C order (numpy.ascontiguousarray)")
        }
        return NPYHeader(elementType: elementType, shape: shape, dataOffset: dataOffset)
    }

    private var current: UInt8? { position < end ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            position += 1
        }
    }

    private func unexpected(expecting expectation: String) -> CodecError {
        guard let byte = current else {
            return .at(position, .malformed, "invalid .npy header: it ends where \(expectation) was expected")
        }
        return .at(position, .malformed,
                   "invalid .npy header: expected \(expectation), found \(JSONNumberGrammar.describe(byte))")
    }

    private mutating func expect(_ byte: UInt8, _ expectation: String) throws(CodecError) {
        skipWhitespace()
        guard current == byte else { throw unexpected(expecting: expectation) }
        position += 1
    }

    /// A Python string literal in single or double quotes, without escapes (none occur in valid headers).
    private mutating func quotedString() throws(CodecError) -> String {
        skipWhitespace()
        guard let quote = current, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
            throw unexpected(expecting: "a quoted string")
        }
        let start = position + 1
        var scan = start
        while scan < end && bytes[scan] != quote {
            guard bytes[scan] != UInt8(ascii: "\\") && bytes[scan] >= 0x20 && bytes[scan] < 0x7F else {
                throw .at(scan, .malformed, "invalid .npy header: unexpected character in a string")
            }
            scan += 1
        }
        guard scan < end else { throw .at(position, .malformed, "invalid .npy header: unterminated string") }
        position = scan + 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<scan]), as: UTF8.self)
    }

    /// `True` or `False`.
    private mutating func boolean() throws(CodecError) -> Bool {
        for (word, value) in [("True", true), ("False", false)] {
            let utf8 = Array(word.utf8)
            if end - position >= utf8.count && (0..<utf8.count).allSatisfy({ bytes[position + $0] == utf8[$0] }) {
                position += utf8.count
                return value
            }
        }
        throw unexpected(expecting: "True or False for 'fortran_order'")
    }

    /// A tuple of non-negative integers: `()`, `(3,)`, `(2, 3)`, `(2, 3,)`. `(3)` is an int in Python, not a tuple.
    private mutating func tuple() throws(CodecError) -> [Int] {
        let open = position
        guard current == UInt8(ascii: "(") else { throw unexpected(expecting: "a tuple for 'shape'") }
        position += 1
        var axes: [Int] = []
        var sawTrailingComma = false
        while true {
            skipWhitespace()
            if current == UInt8(ascii: ")") { break }
            axes.append(try integer())
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                sawTrailingComma = true
                continue
            }
            sawTrailingComma = false
            guard current == UInt8(ascii: ")") else { throw unexpected(expecting: "',' or ')' in 'shape'") }
            break
        }
        position += 1
        guard axes.count != 1 || sawTrailingComma else {
            throw .at(open, .malformed, "invalid .npy header: 'shape' (\(axes[0])) is not a tuple; a 1-tuple is "
                          + "written (\(axes[0]),)")
        }
        return axes
    }

    /// A non-negative decimal integer without leading zeros.
    private mutating func integer() throws(CodecError) -> Int {
        let start = position
        var value = 0
        while let byte = current, JSONNumberGrammar.isDigit(byte) {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - 48))
            guard !overflow1 && !overflow2 else {
                throw .at(start, .tooLarge, ".npy shape has an axis too large to represent")
            }
            value = sum
            position += 1
        }
        guard position > start else { throw unexpected(expecting: "a non-negative integer in 'shape'") }
        guard position - start == 1 || bytes[start] != UInt8(ascii: "0") else {
            throw .at(start, .malformed, "invalid .npy header: leading zeros in a 'shape' integer")
        }
        return value
    }
}
