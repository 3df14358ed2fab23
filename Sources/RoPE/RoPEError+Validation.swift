extension RoPEError {
    /// Throws `invalidParameter` for `field` unless `value` is finite and strictly positive.
    static func requirePositiveFinite(_ value: Double, field: String) throws(RoPEError) {
        guard value.isFinite, value > 0 else {
            throw RoPEError(.invalidParameter, field: field, "\(field) (\(value)) must be a positive finite number")
        }
    }

    /// Throws `invalidParameter` for `field` unless `value` is strictly positive.
    static func requirePositive(_ value: Int, field: String) throws(RoPEError) {
        guard value > 0 else {
            throw RoPEError(.invalidParameter, field: field, "\(field) (\(value)) must be a positive integer")
        }
    }

    /// The largest usable inverse frequency: its angle at any Int position, `position * f`, stays finite.
    static let largestUsableFrequency = Double.greatestFiniteMagnitude / Double(Int.max)
    /// The smallest usable inverse frequency: its wavelength `2 pi / f` stays finite (subnormal f overflow it).
    static let smallestUsableFrequency = 2 * Double.pi / Double.greatestFiniteMagnitude

    /// Throws `invalidParameter` for `field` if any frequency is not finite and positive (e.g. overflow of b^x), or
    /// so extreme that its wavelength or its angle at some position would be infinite: an infinite wavelength is no
    /// answer (JSON cannot carry it), and cos/sin of an infinite angle are NaN.
    static func requireUsableFrequencies(_ frequencies: [Double], field: String) throws(RoPEError) {
        guard frequencies.allSatisfy({ $0 >= smallestUsableFrequency && $0 <= largestUsableFrequency }) else {
            throw RoPEError(.invalidParameter, field: field,
                            "\(field) gives inverse frequencies that are zero, negative, not finite, or so extreme "
                                + "that a wavelength or an angle overflows")
        }
    }
}
