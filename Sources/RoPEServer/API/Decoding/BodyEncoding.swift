import RoPE
import TensorCodecs

/// How a POST body is encoded, from its Content-Type.
enum BodyEncoding {
    case json
    case npy

    /// The encoding named by the request's Content-Type; 415 for anything else.
    init(of request: HTTPRequest, allowsNPY: Bool) throws(HTTPError) {
        switch request.mediaType {
        case "application/json": self = .json
        case "application/x-npy" where allowsNPY: self = .npy
        case let other:
            let accepted = allowsNPY ? "application/json or application/x-npy" : "application/json"
            throw .unsupportedMediaType("Content-Type '\(other ?? "(none)")' is not supported here; send \(accepted)")
        }
    }
}

/// The parameters and tensors of a request body, decoded once and consumed field by field.
struct DecodedBody {
    var tensors: [String: Tensor]
    var fields: RequestFields

    /// Parses a JSON body, reading `tensorFields` straight into flat float32 tensors.
    static func json(_ request: HTTPRequest, tensorFields: Set<String>, limits: ServerLimits) throws(HTTPError) -> DecodedBody {
        if let name = request.query.first?.name {
            throw .invalid("unknown query parameter '\(name)': with a JSON body every parameter goes in the body")
        }
        guard request.body.count > 0 else { throw .malformed("the request body is empty; send a JSON object") }
        do {
            let parsed = try JSONRequestReader.parse(request.body, tensorFields: tensorFields, limits: limits.codecLimits)
            return DecodedBody(tensors: parsed.tensors, fields: RequestFields(object: parsed.fields))
        } catch {
            throw HTTPError(error)
        }
    }

    /// The tensor named `field`, or 422 when it is missing.
    mutating func requireTensor(_ field: String) throws(HTTPError) -> Tensor {
        guard let tensor = tensors[field] else { throw .invalid("missing required field '\(field)'") }
        return tensor
    }
}

extension ServerLimits {
    /// The limits the codecs enforce while parsing.
    var codecLimits: CodecLimits {
        var codec = CodecLimits()
        codec.maxTensorElements = maxTensorElements
        codec.maxNestingDepth = maxJSONDepth
        codec.maxNumberLength = maxNumberLength
        return codec
    }

    /// Checks a tensor's head dimension and sequence length against the limits before any work.
    func check(_ tensor: Tensor, field: String) throws(HTTPError) {
        try check(shape: tensor.shape, field: field)
    }

    /// Checks the head dimension and sequence length of a tensor of `shape`.
    func check(shape: [Int], field: String) throws(HTTPError) {
        let featureCount = Tensor.featureCount(ofShape: shape)
        let sequenceLength = Tensor.sequenceLength(ofShape: shape)
        guard featureCount <= maxDimension else {
            throw .tooLarge("'\(field)' has head dimension \(featureCount), above the limit of \(maxDimension) (max_dimension)")
        }
        guard sequenceLength <= maxSequenceLength else {
            throw .tooLarge("'\(field)' has sequence length \(sequenceLength), above the limit of \(maxSequenceLength) (max_sequence_length)")
        }
    }
}
