/// `GET /openapi.yaml`: the repository's OpenAPI document.
enum OpenAPIEndpoint {
    static func respond(to request: HTTPRequest, context: ServiceContext) throws(HTTPError) -> HTTPResponse {
        guard let document = context.openAPIDocument else {
            throw HTTPError(status: 404, type: "not_found",
                            "the OpenAPI document was not found at start-up (see --openapi)")
        }
        return .text(document, contentType: "application/yaml")
    }
}
