extension RequestFields {
    /// The fields of a parameters-only endpoint (/frequencies, /spectrum): the JSON body of a POST, else the query
    /// string of a GET.
    init(parametersOf request: HTTPRequest, limits: ServerLimits) throws {
        if request.method == "POST" {
            _ = try BodyEncoding(of: request, allowsNPY: false)
            self = try DecodedBody.json(request, tensorFields: [], limits: limits).fields
        } else {
            self = try RequestFields(query: request.query, limits: limits.codecLimits)
        }
    }
}
