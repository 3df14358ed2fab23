import Foundation
import Testing
import RoPE
import TensorCodecs

/// .npy reading and writing: round trips, header variants and every rejection.
@Suite struct NPYCodecTests {
    typealias Support = CodecTestSupport

    /// An .npy file with `header` as its dict (padded numpy-style unless `pad` is false) and `data` after it.
    static func file(header: String, data: [UInt8], major: UInt8 = 1, pad: Bool = true) -> [UInt8] {
        let preamble = major == 1 ? 10 : 12
        var text = header
        if pad {
            let unpadded = preamble + text.utf8.count + 1
            text += String(repeating: " ", count: (unpadded + 63) / 64 * 64 - unpadded) + "\n"
        }
        let length = text.utf8.count
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
        bytes += major == 1 ? [UInt8(length & 0xFF), UInt8(length >> 8)]
            : [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
        return bytes + Array(text.utf8) + data
    }

    /// Little-endian bytes of float32 values.
    static func float32Bytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    /// Little-endian bytes of float64 values.
    static func float64Bytes(_ values: [Double]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    static func error(_ bytes: [UInt8], limits: CodecLimits = CodecLimits()) -> CodecError? {
        if case .failure(let error) = Support.readNPY(bytes, limits: limits) { return error }
        return nil
    }

    @Test(arguments: [[7], [3, 4], [2, 3, 5], [1, 1, 1, 2]])
    func writeThenReadIsBitwiseIdentical(shape: [Int]) throws {
        var generator = SeededGenerator(seed: UInt64(shape.reduce(1, *)))
        let values = (0..<shape.reduce(1, *)).map { index in
            index % 3 == 0 ? Float(bitPattern: UInt32(generator.next() % 0x80_0000)) : generator.finiteFloat()
        }
        let bytes = Support.npyFile(values, shape: shape)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect(Array(bytes[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        #expect((10 + headerLength) % 64 == 0 && bytes[10 + headerLength - 1] == UInt8(ascii: "\n"))
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': \(tuple), }"))
        let tensor = try Support.readNPY(bytes).get()
        #expect(tensor.shape == shape)
        #expect(tensor.values.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test func readsDataAtAnyAlignment() throws {
        let values: [Float] = [1, -2.5, Float(bitPattern: 0x0003_0000), 4]
        let bytes = Support.npyFile(values, shape: [2, 2])
        for shift in 1...7 {
            let padded = [UInt8](repeating: 0, count: shift) + bytes
            let tensor = try padded.withUnsafeBytes { raw in
                try NPYReader.read(UnsafeRawBufferPointer(rebasing: raw[shift...]), field: "keys",
                                   limits: CodecLimits())
            }
            #expect(tensor.values.map(\.bitPattern) == values.map(\.bitPattern))
        }
    }

    @Test func acceptsHeaderVariantsAndVersions() throws {
        let data = Self.float32Bytes([1, 2, 3, 4, 5, 6])
        let headers = [
            "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}",
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,3,),}",
            "{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 2 , 3 ) , }",
        ]
        for header in headers {
            for major: UInt8 in [1, 2, 3] {
                let tensor = try Support.readNPY(Self.file(header: header, data: data, major: major)).get()
                #expect(tensor == Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
            }
        }
        let unpadded = try Support.readNPY(Self.file(header: headers[0], data: data, pad: false)).get()
        #expect(unpadded.shape == [2, 3])
    }

    @Test func float64IsRoundedToNearestFloat() throws {
        let doubles: [Double] = [0.1, 1.0000000596046448, 1.0000000596046449, -1e-40, 3.4028235e38, 1e-50]
        let tensor = try Support.readNPY(Self.file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }",
                                                   data: Self.float64Bytes(doubles))).get()
        #expect(tensor.values.map(\.bitPattern) == doubles.map { Float($0).bitPattern })
    }

    @Test(arguments: [3.5e38, .infinity, -.infinity, .nan])
    func float64OutsideFloat32IsInvalid(value: Double) throws {
        let bytes = Self.file(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                              data: Self.float64Bytes([1, value]))
        let error = try #require(Self.error(bytes))
        #expect(error.kind == .invalid && error.field == "embeddings" && error.offset == 128 + 8)
        #expect(error.message.contains("element 1"))
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteFloat32IsInvalid(value: Float) throws {
        let error = try #require(Self.error(Support.npyFile([0, 1, value], shape: [3])))
        #expect(error.kind == .invalid && error.offset == 128 + 8 && error.message.contains("element 2"))
    }

    @Test(arguments: ["'>f4'", "'>f8'", "'<i4'", "'<f2'", "'|u1'", "'<c8'", "[('a', '<f4')]"])
    func otherDtypesAreUnsupported(descr: String) throws {
        let bytes = Self.file(header: "{'descr': \(descr), 'fortran_order': False, 'shape': (2,), }",
                              data: Self.float32Bytes([1, 2]))
        let error = try #require(Self.error(bytes))
        #expect(error.kind == .unsupported && error.field == "embeddings" && !error.message.isEmpty)
    }

    @Test func fortranOrderIsUnsupported() throws {
        let bytes = Self.file(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                              data: Self.float32Bytes([1, 2, 3, 4]))
        let error = try #require(Self.error(bytes))
        #expect(error.kind == .unsupported && error.message.contains("Fortran"))
    }

    @Test func shapeProblems() throws {
        let scalar = try #require(
            Self.error(Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                                 data: Self.float32Bytes([1]))))
        #expect(scalar.kind == .invalid && scalar.message.contains("scalar"))
        let empty = try #require(
            Self.error(Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", data: [])))
        #expect(empty.kind == .invalid && empty.message.contains("empty"))
        let overflowShape = "(4294967296, 4294967296, 4294967296)"
        let overflow = try #require(
            Self.error(Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': \(overflowShape), }",
                                 data: [])))
        #expect(overflow.kind == .tooLarge)
        let huge = try #require(Self.error(
            Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
                      data: [])))
        #expect(huge.kind == .tooLarge)
        var limits = CodecLimits()
        limits.maxTensorElements = 5
        let overLimit = try #require(Self.error(Support.npyFile([1, 2, 3, 4, 5, 6], shape: [2, 3]), limits: limits))
        #expect(overLimit.kind == .tooLarge && overLimit.message.contains("limit of 5"))
    }

    @Test func dataOfTheWrongLengthIsMalformed() throws {
        let bytes = Support.npyFile([1, 2, 3, 4], shape: [4])
        let truncated = try #require(Self.error(Array(bytes.dropLast())))
        #expect(truncated.kind == .malformed && truncated.message.contains("truncated"))
        let trailing = try #require(Self.error(bytes + [0]))
        #expect(trailing.kind == .malformed && trailing.message.contains("trailing bytes")
                    && trailing.offset == 128 + 16)
    }

    @Test(arguments: [
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
        "{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (02,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}",
        "'descr': '<f4', 'fortran_order': False, 'shape': (2,)",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}",
    ])
    func badHeadersAreMalformed(header: String) throws {
        let error = try #require(Self.error(Self.file(header: header, data: Self.float32Bytes([1, 2]))))
        #expect(error.kind == .malformed, "\(header): \(error)")
        #expect(error.field == "embeddings" && !error.message.isEmpty && error.offset != nil)
    }

    @Test func badPreamblesAreMalformed() throws {
        let good = Support.npyFile([1, 2], shape: [2])
        var wrongMagic = good
        wrongMagic[1] = UInt8(ascii: "X")
        var wrongVersion = good
        wrongVersion[6] = 4
        var headerTooLong = good
        headerTooLong[9] = 0xFF
        for bytes in [[], Array(good[0..<5]), Array(good[0..<9]), wrongMagic, wrongVersion, headerTooLong,
                      Array("{\"a\": 1}".utf8)] {
            let error = try #require(Self.error(bytes))
            #expect(error.kind == .malformed && !error.message.isEmpty)
        }
    }
}
