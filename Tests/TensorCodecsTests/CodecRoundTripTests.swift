import Testing
import RoPE
import TensorCodecs

/// JSON and .npy carry the same numbers: writing then reading gives the same bits, whichever the format.
@Suite struct CodecRoundTripTests {
    typealias Support = CodecTestSupport

    @Test(arguments: [[64], [8, 33], [2, 4, 16], [3, 1, 2, 5]])
    func jsonAndNPYGiveIdenticalFloats(shape: [Int]) throws {
        var generator = SeededGenerator(seed: 0xC0DEC + UInt64(shape.count))
        let count = shape.reduce(1, *)
        let values = (0..<count).map { index -> Float in
            switch index % 4 {
            case 0: Float(bitPattern: UInt32(generator.next() % 0x80_0000)) * (index % 8 == 0 ? -1 : 1)  // subnormals
            case 1: Float.random(in: -3...3, using: &generator)
            default: generator.finiteFloat()
            }
        }
        let fromJSON = try #require(try Support.parseJSON(Support.jsonBody(values, shape: shape)).tensors["embeddings"])
        let fromNPY = try Support.readNPY(Support.npyFile(values, shape: shape)).get()
        #expect(fromJSON.shape == shape && fromNPY.shape == shape)
        #expect(fromJSON.values.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(fromNPY.values.map(\.bitPattern) == fromJSON.values.map(\.bitPattern))
    }

    @Test func largeRandomTensorRoundTripsThroughJSON() throws {
        var generator = SeededGenerator(seed: 2048)
        let values = (0..<(256 * 128)).map { _ in generator.finiteFloat() }
        let body = try Support.parseJSON(Support.jsonBody(values, shape: [256, 128]))
        let tensor = try #require(body.tensors["embeddings"])
        #expect(tensor.shape == [256, 128])
        #expect(tensor.values.map(\.bitPattern) == values.map(\.bitPattern))
    }
}
