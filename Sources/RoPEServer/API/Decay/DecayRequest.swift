import RoPE

/// A decoded `GET /decay` request.
struct DecayRequest {
    var dimension: Int
    var theta: Double
    var maxDistance: Double
    var points: Int

    init(_ request: HTTPRequest, limits: ServerLimits) throws(HTTPError) {
        var fields = try RequestFields(query: request.query, limits: limits.codecLimits)
        guard let dimension = try fields.int("dim") else { throw .invalid("missing required query parameter 'dim'") }
        try limits.checkHeadDimension(dimension, field: "'dim'")
        self.dimension = dimension
        theta = try fields.double("rope_theta") ?? RoPEParameters().theta
        guard theta > 0 else { throw .invalid("'rope_theta' must be > 0 (got \(theta))") }
        maxDistance = try fields.double("max_distance") ?? 1000
        guard maxDistance >= 0 else { throw .invalid("'max_distance' must be >= 0 (got \(maxDistance))") }
        points = try fields.int("points") ?? 200
        guard points >= 1 else { throw .invalid("'points' must be a positive integer (got \(points))") }
        // The curve costs points x d/2 x d/2 complex additions; bound that product like a tensor. Every product is
        // overflow-checked: the limits can be configured up to Int.max, and a trap here would take the server down.
        let half = dimension / 2
        let (square, squareOverflow) = half.multipliedReportingOverflow(by: half)
        let (work, workOverflow) = points.multipliedReportingOverflow(by: square)
        let (budget, budgetOverflow) = limits.maxTensorElements.multipliedReportingOverflow(by: 4)
        guard points <= limits.maxSequenceLength, !squareOverflow, !workOverflow,
              work <= (budgetOverflow ? Int.max : budget) else {
            throw .tooLarge("'points' \(points) with dim \(dimension) is above the work limit (max_sequence_length, "
                          + "max_tensor_elements)")
        }
        try fields.rejectUnread()
    }
}
