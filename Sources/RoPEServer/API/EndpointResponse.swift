/// The result of an endpoint as a value, written from this one place in each format the endpoint offers.
protocol EndpointResponse: ~Copyable {
    /// The formats the endpoint answers in; JSON is always one of them.
    static var formats: [ResponseFormat] { get }
    /// The response in `format`, one of `formats`.
    consuming func response(as format: ResponseFormat) -> HTTPResponse
}
