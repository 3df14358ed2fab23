extension HTTPRequest {
    /// The format to answer this request in, among `offered`, by its `Accept` header (see `ResponseFormat`).
    public func responseFormat(offered: [ResponseFormat]) -> ResponseFormat {
        ResponseFormat(negotiating: header("accept"), offered: offered)
    }
}
