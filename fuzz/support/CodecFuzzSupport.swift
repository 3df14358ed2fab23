// Shared by the codec-level fuzz targets (json, npy): their limits and how an invariant fails.
import TensorCodecs

#if canImport(Glibc)
import Glibc
#endif

/// Small tensors keep each fuzz input fast; both codec targets read with these limits.
let codecFuzzLimits: CodecLimits = {
    var limits = CodecLimits()
    limits.maxTensorElements = 1 << 16
    return limits
}()

/// Aborts, so that libFuzzer keeps the input, when an invariant of the target named `fuzzTargetName` does not hold.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fputs("\(fuzzTargetName) fuzz invariant broken: \(message())\n", stderr)
        abort()
    }
}
