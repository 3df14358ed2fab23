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

    /// Throws `invalidParameter` for `field` if any frequency is not finite and positive (e.g. overflow of b^x).
    static func requireUsableFrequencies(_ frequencies: [Double], field: String) throws(RoPEError) {
        guard frequencies.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw RoPEError(.invalidParameter, field: field,
                            "\(field) gives inverse frequencies that are zero, negative or not finite")
        }
    }
}
