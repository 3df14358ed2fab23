extension DecodedRoPE {
    /// Reads `dim`, the head dimension d (default: the pasted config's, for the layer): positive and even, equal to
    /// the config's when both are given (422), at most `max_dimension` (413).
    func headDimension(_ fields: inout RequestFields, limits: ServerLimits) throws(HTTPError) -> Int {
        let given = try fields.int("dim")
        guard let dimension = given ?? configHeadDimension else {
            throw .invalid("missing required field 'dim' (the head dimension)")
        }
        try requireHeadDimension(dimension, of: "dim")
        // Name where the value came from: without 'dim' it is the config's key.
        let source = configHeadDimensionSource ?? "head_dim"
        let field = given != nil ? "'dim'" : "the head dimension 'config' gives (\(source))"
        try limits.checkHeadDimension(dimension, field: field)
        return dimension
    }
}
