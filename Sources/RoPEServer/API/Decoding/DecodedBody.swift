import RoPE
import TensorCodecs

/// The parameters and tensors of a request body, decoded once and consumed field by field.
struct DecodedBody {
    var tensors: [String: Tensor]
    var fields: RequestFields

    /// Parses a JSON body, reading `tensorFields` straight into flat float32 tensors.
    static func json(_ request: HTTPRequest, tensorFields: Set<String>, limits: ServerLimits) throws -> DecodedBody {
        if let name = request.query.first?.name {
            throw HTTPError.invalid("unknown query parameter '\(name)': "
                                  + "with a JSON body every parameter goes in the body")
        }
        guard request.body.count > 0 else { throw HTTPError.malformed("the request body is empty; send a JSON object") }
        let parsed = try JSONRequestReader.parse(request.body, tensorFields: tensorFields, limits: limits.codecLimits)
        return DecodedBody(tensors: parsed.tensors, fields: RequestFields(object: parsed.fields))
    }

    /// The tensor named `field`, or 422 when it is missing.
    mutating func requireTensor(_ field: String) throws(HTTPError) -> Tensor {
        guard let tensor = tensors[field] else { throw .invalid("missing required field '\(field)'") }
        return tensor
    }
}
