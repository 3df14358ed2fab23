import RoPE
import TensorCodecs
import Testing

/// The JSON writer's shortest float32 text read back by the fast number parser keeps every bit of a large tensor.
@Suite struct LargeJSONRoundTripTests {
    @Test("JSON writer output reads back bit for bit (shortest formatter and fast number parser)")
    func jsonRoundTrip() throws {
        let shape = [4, 1000, 64]
        var generator = SeededGenerator(seed: 42)
        let values = (0..<shape.reduce(1, *)).map { _ in generator.finiteFloat() }
        let parsed = try CodecTestSupport.parseJSON(CodecTestSupport.jsonBody(values, shape: shape))
        let tensor = try #require(parsed.tensors["embeddings"])
        #expect(tensor.shape == shape)
        #expect(tensor.values.map(\.bitPattern) == values.map(\.bitPattern))
    }
}
