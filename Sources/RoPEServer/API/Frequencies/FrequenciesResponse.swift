import RoPE
import TensorCodecs

/// The answer of `/frequencies`: the frequency table of a head dimension, its cos/sin tables when `seq_len` was
/// given, and the angles at one position when `position` was.
struct FrequenciesResponse: EndpointResponse {
    static let formats: [ResponseFormat] = [.json, .npy]

    /// The head dimension d asked for.
    var dimension: Int
    var table: FrequencyTable
    /// The cos/sin tables of positions 0 ..< seq_len.
    var cosineSine: CosineSineTable?
    /// The position whose angles are asked for.
    var position: Int?
    /// false for a config layer without RoPE (the table is still answered).
    var ropeApplied: Bool

    consuming func response(as format: ResponseFormat) -> HTTPResponse {
        format == .npy ? npy : json
    }

    private var json: HTTPResponse {
        let half = table.rotaryDimension / 2
        var writer = JSONWriter(capacity: 256 + half * 48 + (cosineSine?.rows ?? 0) * half * 24)
        writer.beginObject()
        writer.key("dim")
        writer.value(dimension)
        writer.key("rotary_dim")
        writer.value(table.rotaryDimension)
        writer.key("inv_freq")
        writer.doubles(table.inverseFrequencies, shape: [half])
        writer.key("wavelengths")
        writer.doubles(table.wavelengths, shape: [half])
        writer.key("attention_scaling")
        writer.value(table.appliedAttentionFactor)
        if let cosineSine {
            writer.key("cos")
            cosineSine.cosines.withUnsafeBufferPointer { writer.tensor($0, shape: [cosineSine.rows, half]) }
            writer.key("sin")
            cosineSine.sines.withUnsafeBufferPointer { writer.tensor($0, shape: [cosineSine.rows, half]) }
        }
        writer.mropeAxes(table.mropeAxes)
        writer.ropeApplied(ropeApplied)
        if let position {
            writer.key("position")
            writer.value(position)
            writer.key("angles")
            writer.doubles(table.angles(atPosition: position), shape: [half])
        }
        writer.endObject()
        return .json(writer)
    }

    /// The tables as float32 .npy: `[2, seq_len, r/2]` (cos then sin) with `seq_len`, else `inv_freq` `[r/2]`.
    /// Scalars travel in headers.
    private var npy: HTTPResponse {
        let half = table.rotaryDimension / 2
        var headers = [("X-Rotary-Dim", String(table.rotaryDimension)),
                       ("X-Attention-Scaling", "\(table.appliedAttentionFactor)")]
        if let axes = table.mropeAxes { headers.append(("X-MRoPE-Axis", axes.map(\.name).joined(separator: ","))) }
        if !ropeApplied { headers.append(("X-RoPE-Applied", "false")) }
        guard let cosineSine else {
            return .npy(Tensor(shape: [half], values: table.inverseFrequencies.map { Float($0) }), headers: headers)
        }
        return .npy(Tensor(shape: [2, cosineSine.rows, half], values: cosineSine.cosines + cosineSine.sines),
                    headers: headers)
    }
}
