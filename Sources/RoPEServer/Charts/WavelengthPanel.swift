import Foundation
import RoPE

/// The spectrum panel: each slot's wavelength (log scale) coloured by regime, the unscaled ladder as a dashed line,
/// the original and target context as horizontal lines, and a legend with the regime counts.
struct WavelengthPanel {
    let spectrum: Spectrum
    let parameters: RoPEParameters
    let ropeApplied: Bool
    let top: Double

    /// The colour of each regime.
    static func colour(_ regime: FrequencyRegime) -> String {
        switch regime {
        case .unchanged: "#1f77b4"
        case .blended: "#ff7f0e"
        case .interpolated: "#d62728"
        case .zero: "#7f7f7f"
        }
    }

    var svg: String {
        let frame = ChartFrame(top: top)
        let half = spectrum.rotaryDimension / 2
        let wavelengths = spectrum.wavelengths.compactMap { $0 }
        let baseWavelengths = spectrum.baseInverseFrequencies.map { 2 * Double.pi / $0 }
        let lines = [spectrum.originalContext, spectrum.context].compactMap { $0.map(Double.init) }
        let y = ChartAxis.logarithmic(covering: wavelengths + baseWavelengths + lines,
                                      from: frame.plotBottom, to: frame.plotTop)
        let x = ChartAxis.linear(-0.5, Double(half) - 0.5, from: frame.left, to: frame.plotRight)
        let slotStep = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]
            .first { half / $0 <= 8 } ?? max(half / 8, 1)
        let counts = spectrum.regimeCounts
        let countText = FrequencyRegime.allCases.filter { counts[$0, default: 0] > 0 }
            .map { "\(counts[$0, default: 0]) \($0.rawValue)" }.joined(separator: ", ")
        let layerNote = (spectrum.mropeAxes == nil ? "" : " with M-RoPE")
            + (ropeApplied ? "" : " (this layer applies no RoPE)")
        var svg = frame.decorations(
            title: "Wavelength per frequency slot: \(Self.describe(parameters.scaling))\(layerNote)",
            subtitle: "theta \(Self.plain(parameters.theta)), rotary_dim \(spectrum.rotaryDimension), "
                + "\(half) slot\(half == 1 ? "" : "s"): \(countText); "
                + "attention scaling \(ChartAxis.label(spectrum.attentionScaling))",
            xTitle: "frequency slot j (inv_freq = theta^(-2j/r) before scaling; fastest on the left)",
            yTitle: "wavelength 2π / inv_freq in positions (log scale)",
            x: x, y: y, xTicks: stride(from: 0, to: half, by: slotStep).map(Double.init))

        let basePoints = baseWavelengths.enumerated()
            .map { "\(ChartFrame.number(x.pixel(Double($0))))," + ChartFrame.number(y.pixel($1)) }
            .joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"#999\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\" "
            + "points=\"\(basePoints)\"/>\n"
        let radius = half <= 96 ? 3.5 : 2.2
        for (slot, regime) in spectrum.regimes.enumerated() {
            let pixelX = x.pixel(Double(slot))
            guard let wavelength = spectrum.wavelengths[slot] else {
                // No wavelength: a cross on the top edge.
                let pixelY = frame.plotTop + 6, grey = Self.colour(.zero)
                svg += ChartFrame.line(pixelX - 3, pixelY - 3, pixelX + 3, pixelY + 3, stroke: grey, width: 1.5)
                svg += ChartFrame.line(pixelX - 3, pixelY + 3, pixelX + 3, pixelY - 3, stroke: grey, width: 1.5)
                continue
            }
            svg += ChartFrame.dot(x: pixelX, y: y.pixel(wavelength), radius: radius, colour: Self.colour(regime))
        }
        svg += mropeAxisMarks(frame: frame, x: x)
        svg += contextLine(spectrum.originalContext, name: "original context", colour: "#2ca02c", frame: frame, y: y)
        svg += contextLine(spectrum.context, name: "target context", colour: "#9467bd", frame: frame, y: y)

        var row = 0
        for regime in FrequencyRegime.allCases {
            let label = "\(regime.rawValue) (\(counts[regime, default: 0]))"
            svg += frame.legendEntry(row: row, label: label) { cx, cy in
                ChartFrame.dot(x: cx, y: cy, radius: 4, colour: Self.colour(regime))
            }
            row += 1
        }
        svg += frame.legendEntry(row: row, label: "unscaled (theta only)") { cx, cy in
            ChartFrame.line(cx - 9, cy, cx + 9, cy, stroke: "#999", width: 1.2, dash: "5 3")
        }
        svg += frame.legendEntry(row: row + 1, label: "original context") { cx, cy in
            ChartFrame.line(cx - 9, cy, cx + 9, cy, stroke: "#2ca02c", width: 1.5, dash: "8 4")
        }
        svg += frame.legendEntry(row: row + 2, label: "target context") { cx, cy in
            ChartFrame.line(cx - 9, cy, cx + 9, cy, stroke: "#9467bd", width: 1.5, dash: "8 4")
        }
        if let slot = spectrum.firstSlotBeyondOriginal {
            svg += ChartFrame.text("first slot longer than the", x: frame.legendLeft, y: frame.plotTop + 14 + 8 * 22)
            svg += ChartFrame.text("original context: j = \(slot)", x: frame.legendLeft, y: frame.plotTop + 30 + 8 * 22)
        }
        if let switchLength = spectrum.longFactorSwitchLength {
            svg += ChartFrame.text("long_factor from length \(switchLength)", x: frame.legendLeft,
                                   y: frame.plotTop + 14 + 10 * 22)
        }
        return svg
    }

    /// M-RoPE: each slot's axis letter (t, h, w) in a row along the bottom of the plot, and the section in the
    /// legend column; nothing for plain RoPE. Letters only up to 96 slots, where they stay readable.
    private func mropeAxisMarks(frame: ChartFrame, x: ChartAxis) -> String {
        guard let axes = spectrum.mropeAxes else { return "" }
        var svg = ""
        if axes.count <= 96 {
            for (slot, axis) in axes.enumerated() {
                svg += ChartFrame.text(axis.name, x: x.pixel(Double(slot)), y: frame.plotBottom - 6, anchor: "middle",
                                       size: 9, fill: Self.axisColour(axis))
            }
        }
        let counts = MRoPESection.Axis.allCases.map { axis in "\(axes.filter { $0 == axis }.count) \(axis.name)" }
        svg += ChartFrame.text("M-RoPE slots: " + counts.joined(separator: ", "), x: frame.legendLeft,
                               y: frame.plotTop + 14 + 12 * 22)
        return svg
    }

    /// The colour of an M-RoPE axis letter.
    static func axisColour(_ axis: MRoPESection.Axis) -> String {
        switch axis {
        case .temporal: "#333333"
        case .height: "#8c564b"
        case .width: "#e377c2"
        }
    }

    /// A dashed horizontal line at `length` with its value written above it at the left.
    private func contextLine(_ length: Int?, name: String, colour: String, frame: ChartFrame, y: ChartAxis) -> String {
        guard let length else { return "" }
        let pixel = y.pixel(Double(length))
        return ChartFrame.line(frame.left, pixel, frame.plotRight, pixel, stroke: colour, width: 1.5, dash: "8 4")
            + ChartFrame.text("\(name) \(length)", x: frame.left + 6, y: pixel - 5, fill: colour)
    }

    /// A parameter as it was given: 500000, not 500k.
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%g", value)
    }

    /// "llama3 (factor 8, original 8192)" and the like.
    static func describe(_ scaling: RoPEScaling) -> String {
        let f = plain
        switch scaling {
        case .none: return "default RoPE"
        case .linear(let factor): return "linear (factor \(f(factor)))"
        case .ntk(let factor): return "ntk (factor \(f(factor)))"
        case .dynamic(let dynamic):
            return "dynamic (factor \(f(dynamic.factor)), max_position_embeddings \(dynamic.maxPositionEmbeddings))"
        case .yarn(let yarn):
            return "yarn (factor \(f(yarn.factor)), original \(yarn.originalMaxPositionEmbeddings))"
        case .llama3(let llama3):
            return "llama3 (factor \(f(llama3.factor)), original \(llama3.originalMaxPositionEmbeddings))"
        case .longrope(let longrope):
            return "longrope (factor \(f(longrope.factor)), original \(longrope.originalMaxPositionEmbeddings))"
        case .proportional(let proportional):
            return "proportional (factor \(f(proportional.factor)), "
                + "partial_rotary_factor \(f(proportional.partialRotaryFactor)))"
        }
    }
}
