// Copied into both modules by check.sh: the formatter behind a public function, NaN and infinities as "null"
// (older formatters left them to JSONWriter).

/// Writes `value` as the module's formatter does, at `out` (room for 64 bytes); returns the length.
@inline(never)
public func formatFloat(_ value: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
    guard value.isFinite else {
        out[0] = UInt8(ascii: "n"); out[1] = UInt8(ascii: "u"); out[2] = UInt8(ascii: "l"); out[3] = UInt8(ascii: "l")
        return 4
    }
    return ShortestFloatFormatter.write(value, to: out)
}
