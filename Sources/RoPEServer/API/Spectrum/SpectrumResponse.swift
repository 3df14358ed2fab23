import RoPE
import TensorCodecs

/// The answer of `/spectrum`: what the scaling does to each frequency slot, and the angle precision report when
/// `precision_positions` was given.
struct SpectrumResponse: EndpointResponse {
    static let formats: [ResponseFormat] = [.json, .svg]

    var spectrum: Spectrum
    var precision: AnglePrecision?
    /// The head dimension d asked for, and the parameters (the chart's caption).
    var dimension: Int
    var parameters: RoPEParameters
    /// false for a config layer without RoPE (the spectrum is still answered).
    var ropeApplied: Bool

    consuming func response(as format: ResponseFormat) -> HTTPResponse {
        format == .svg ? svg : json
    }

    /// The chart: wavelength per slot coloured by regime, and the precision panel.
    private var svg: HTTPResponse {
        let chart = SpectrumChart(spectrum: spectrum, precision: precision, parameters: parameters,
                                  ropeApplied: ropeApplied)
        return .text(chart.svg, contentType: ResponseFormat.svg.mediaType)
    }

    private var json: HTTPResponse {
        let half = spectrum.rotaryDimension / 2
        var writer = JSONWriter(capacity: 512 + half * 160 + (precision?.positions.count ?? 0) * 200)
        writer.beginObject()
        writer.key("dim")
        writer.value(dimension)
        writer.key("rotary_dim")
        writer.value(spectrum.rotaryDimension)
        writer.key("context")
        writer.value(spectrum.context)
        writer.key("original_context")
        if let original = spectrum.originalContext { writer.value(original) } else { writer.valueNull() }
        writer.key("inv_freq")
        writer.doubles(spectrum.inverseFrequencies, shape: [half])
        writer.key("base_inv_freq")
        writer.doubles(spectrum.baseInverseFrequencies, shape: [half])
        writer.key("ratio")
        writer.doubles(spectrum.ratios, shape: [half])
        writer.key("wavelengths")
        // The writer turns non-finite numbers into null: a zero frequency's wavelength is written as null.
        writer.doubles(spectrum.wavelengths.map { $0 ?? .infinity }, shape: [half])
        writer.key("rotations_original")
        if let rotations = spectrum.rotationsOriginal {
            writer.doubles(rotations, shape: [half])
        } else {
            writer.valueNull()
        }
        writer.key("rotations_context")
        writer.doubles(spectrum.rotationsContext, shape: [half])
        writer.key("regime")
        writer.beginArray()
        for regime in spectrum.regimes { writer.value(regime.rawValue) }
        writer.endArray()
        writer.mropeAxes(spectrum.mropeAxes)
        writer.ropeApplied(ropeApplied)
        writer.key("summary")
        writeSummary(into: &writer)
        if let precision {
            writer.key("precision")
            write(precision, into: &writer)
        }
        writer.endObject()
        return .json(writer)
    }

    private func writeSummary(into writer: inout JSONWriter) {
        let counts = spectrum.regimeCounts
        writer.beginObject()
        writer.key("counts")
        writer.beginObject()
        writer.key("unchanged")
        writer.value(counts[.unchanged] ?? 0)
        writer.key("interpolated")
        writer.value(counts[.interpolated] ?? 0)
        writer.key("blended")
        writer.value(counts[.blended] ?? 0)
        writer.key("zero")
        writer.value(counts[.zero] ?? 0)
        writer.endObject()
        writer.key("interpolation_factor")
        writer.value(spectrum.interpolationFactor)
        writer.key("first_slot_beyond_original")
        if let slot = spectrum.firstSlotBeyondOriginal { writer.value(slot) } else { writer.valueNull() }
        writer.key("longrope_switch")
        if let length = spectrum.longFactorSwitchLength { writer.value(length) } else { writer.valueNull() }
        writer.key("attention_scaling")
        writer.value(spectrum.attentionScaling)
        writer.endObject()
    }

    private func write(_ precision: AnglePrecision, into writer: inout JSONWriter) {
        writer.beginArray()
        for (index, position) in precision.positions.enumerated() {
            writer.beginObject()
            writer.key("position")
            writer.value(position)
            for format in AngleFormat.allCases {
                switch format {
                case .float32: writer.key("float32")
                case .bfloat16: writer.key("bfloat16")
                case .float16: writer.key("float16")
                }
                let errors = precision.errors[format]?[index]
                writer.beginObject()
                writer.key("cos")
                if let cosine = errors?.cosine { writer.value(cosine) } else { writer.valueNull() }
                writer.key("sin")
                if let sine = errors?.sine { writer.value(sine) } else { writer.valueNull() }
                writer.endObject()
            }
            writer.endObject()
        }
        writer.endArray()
    }
}
