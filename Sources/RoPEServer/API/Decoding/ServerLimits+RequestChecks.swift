import RoPE
import TensorCodecs

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
            throw .tooLarge("'\(field)' has head dimension \(featureCount), above the limit of \(maxDimension) "
                          + "(max_dimension)")
        }
        guard sequenceLength <= maxSequenceLength else {
            throw .tooLarge("'\(field)' has sequence length \(sequenceLength), above the limit of \(maxSequenceLength) "
                          + "(max_sequence_length)")
        }
    }

    /// Checks every position of `field` against `max_position` (422 beyond).
    func checkPositions(_ values: [Int], field: String) throws(HTTPError) {
        for value in values where value.magnitude > UInt(maxPosition) {
            throw .invalid("'\(field)' contains \(value), beyond the position limit of ±\(maxPosition) (max_position)")
        }
    }

    /// Checks a head dimension, `field` being how the message names it: positive and even (422), at most
    /// `max_dimension` (413).
    func checkHeadDimension(_ dimension: Int, field: String) throws(HTTPError) {
        guard dimension > 0, dimension % 2 == 0 else {
            throw .invalid("\(field) must be a positive even integer (got \(dimension))")
        }
        guard dimension <= maxDimension else {
            throw .tooLarge("\(field) \(dimension) is above the limit of \(maxDimension) (max_dimension)")
        }
    }
}
