// libFuzzer target: the .npy reader (NPYReader.read), which parses the header dict and copies the data region.
//
// Invariants beyond "no crash": an accepted tensor's shape describes its values and they are finite; written back
// with NPYWriter (float32) and read again, shape and bits are unchanged; an error has a message and an offset
// inside the file.
import RoPE
import TensorCodecs

#if canImport(Glibc)
import Glibc
#endif

/// Names this target in invariant failures (fuzz/support/CodecFuzzSupport.swift).
let fuzzTargetName = "npy"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    do throws(CodecError) {
        let tensor = try NPYReader.read(bytes, field: "embeddings", limits: codecFuzzLimits)
        check(!tensor.shape.isEmpty && tensor.shape.allSatisfy { $0 > 0 }, "shape \(tensor.shape)")
        check(tensor.shape.reduce(1, *) == tensor.values.count,
              "shape \(tensor.shape) vs \(tensor.values.count) values")
        check(tensor.values.allSatisfy(\.isFinite), "a non-finite value was accepted")
        // withUnsafeBufferPointer cannot return a non-copyable value, so the buffer leaves through an Optional.
        var written: ResponseBuffer?
        tensor.values.withUnsafeBufferPointer { written = NPYWriter.write($0, shape: tensor.shape) }
        written.take()!.withUnsafeBytes { file in
            do throws(CodecError) {
                let again = try NPYReader.read(file, field: "embeddings", limits: codecFuzzLimits)
                check(again.shape == tensor.shape, "shape \(tensor.shape) read back as \(again.shape)")
                check(again.values.map(\.bitPattern) == tensor.values.map(\.bitPattern),
                      "values changed through NPYWriter")
            } catch {
                check(false, "a file written by NPYWriter does not read back: \(error.message)")
            }
        }
    } catch {
        check(!error.message.isEmpty, "empty error message")
        check(error.message.hasPrefix("embeddings: "), "error does not name the field: \(error.message)")
        if let offset = error.offset { check(offset >= 0 && offset <= size, "offset \(offset) outside 0...\(size)") }
    }
    return 0
}
