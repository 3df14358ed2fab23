// libFuzzer target: the JSON request reader (JSONRequestReader.parse), the codec every JSON endpoint parses with.
//
// Beyond "no crash, no sanitizer report" it checks what must hold for any input: a parsed tensor's shape describes
// its values, every value is finite, and writing the tensor back with JSONWriter and reading it again gives the
// same floats bit for bit (reader and writer agree); an error has a message and an offset inside the body.
import RoPE
import TensorCodecs

#if canImport(Glibc)
import Glibc
#endif

private let tensorFields: Set<String> = ["embeddings", "queries", "keys"]

/// Names this target in invariant failures (fuzz/support/CodecFuzzSupport.swift).
let fuzzTargetName = "json"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    do throws(CodecError) {
        let body = try JSONRequestReader.parse(bytes, tensorFields: tensorFields, limits: codecFuzzLimits)
        for (name, tensor) in body.tensors {
            check(!tensor.shape.isEmpty && tensor.shape.allSatisfy { $0 > 0 }, "\(name) has shape \(tensor.shape)")
            check(tensor.shape.reduce(1, *) == tensor.values.count,
                  "\(name) shape \(tensor.shape) vs \(tensor.values.count) values")
            check(tensor.values.allSatisfy(\.isFinite), "\(name) holds a non-finite value")
            roundTrip(tensor, name: name)
        }
    } catch {
        check(!error.message.isEmpty, "empty error message")
        if let offset = error.offset { check(offset >= 0 && offset <= size, "offset \(offset) outside 0...\(size)") }
    }
    return 0
}

/// Writes `tensor` as `{"embeddings": ...}` and reads it back: the floats must be identical.
private func roundTrip(_ tensor: Tensor, name: String) {
    var writer = JSONWriter(capacity: tensor.values.count * 16 + 32)
    writer.beginObject()
    writer.key("embeddings")
    tensor.values.withUnsafeBufferPointer { writer.tensor($0, shape: tensor.shape) }
    writer.endObject()
    let buffer = writer.finish()
    buffer.withUnsafeBytes { written in
        do throws(CodecError) {
            var unlimited = codecFuzzLimits
            unlimited.maxNestingDepth = Int.max
            let again = try JSONRequestReader.parse(written, tensorFields: ["embeddings"], limits: unlimited)
            let back = again.tensors["embeddings"]
            check(back?.shape == tensor.shape, "\(name) shape \(tensor.shape) read back as \(back?.shape ?? [])")
            check(back?.values.map(\.bitPattern) == tensor.values.map(\.bitPattern),
                  "\(name) values changed through JSONWriter: \(String(decoding: written.prefix(200), as: UTF8.self))")
        } catch {
            check(false, "\(name) written by JSONWriter does not parse: \(error.message)")
        }
    }
}
