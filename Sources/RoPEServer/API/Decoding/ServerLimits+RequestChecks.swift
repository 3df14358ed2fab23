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
}
