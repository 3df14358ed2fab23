/// `GET /` (and HEAD): the RoPE explorer page, an HTML document whose script talks only to this server.
enum ExplorerEndpoint {
    static func respond(to request: HTTPRequest, context: ServiceContext) throws(HTTPError) -> HTTPResponse {
        guard let page = context.explorerPage else {
            throw HTTPError(status: 404, type: "not_found",
                            "the explorer page was not found at start-up (see --explorer)")
        }
        var response = HTTPResponse.text(page.html, contentType: "text/html; charset=utf-8")
        response.headers = [("Content-Security-Policy", page.contentSecurityPolicy),
                            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
                            ("Cache-Control", "no-cache")]
        return response
    }
}
