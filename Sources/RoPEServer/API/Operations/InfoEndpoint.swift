/// `GET /info`: version, limits, defaults and thread count.
enum InfoEndpoint {
    static func respond(to request: HTTPRequest, context: ServiceContext) -> HTTPResponse {
        InfoResponse(configuration: context.configuration, version: context.version,
                     parallelThreshold: context.engine.parallelThreshold).response(as: .json)
    }
}
