import Foundation
import RoPE

/// The precision panel: per angle format, the larger of the cos and sin errors against float64 angles at each
/// position (log scale), one line per format.
struct PrecisionPanel {
    let precision: AnglePrecision
    let top: Double

    /// The colour of each format.
    static func colour(_ format: AngleFormat) -> String {
        switch format {
        case .float32: "#1f77b4"
        case .bfloat16: "#ff7f0e"
        case .float16: "#2ca02c"
        }
    }

    var svg: String {
        let frame = ChartFrame(top: top)
        let order = precision.positions.indices.sorted { precision.positions[$0] < precision.positions[$1] }
        let positions = order.map { Double(precision.positions[$0]) }
        func largest(_ format: AngleFormat, _ index: Int) -> Double? {
            guard let errors = precision.errors[format]?[index], let cosine = errors.cosine, let sine = errors.sine
            else { return nil }
            return max(cosine, sine)
        }
        let allErrors = AngleFormat.allCases.flatMap { format in order.compactMap { largest(format, $0) } }
        // All errors 0 (integer angles): an axis far below any real error, with the points on its bottom edge.
        let y = ChartAxis.logarithmic(covering: allErrors.contains { $0 > 0 } ? allErrors : [1e-16],
                                      from: frame.plotBottom, to: frame.plotTop)
        let low = positions.first ?? 0, high = positions.last ?? 1
        // A log position axis when the positions are positive and span two decades, else linear.
        let x = low > 0 && high / low >= 100
            ? ChartAxis.logarithmic(covering: [low, high], spare: 1, from: frame.left + 10, to: frame.plotRight - 10)
            : ChartAxis.linear(low, high, from: frame.left + 10, to: frame.plotRight - 10)
        var svg = frame.decorations(
            title: "Angle precision: largest error of cos and sin over all slots, against float64 angles",
            subtitle: "angle = round(round(position) x round(inv_freq)) in each format; cos and sin then exact",
            xTitle: "position\(x.logarithmic ? " (log scale)" : "")",
            yTitle: "largest |error| of cos, sin (log scale)",
            x: x, y: y, xTicks: x.ticks)

        var overflowed = false
        for (row, format) in AngleFormat.allCases.enumerated() {
            let pixels = order.enumerated().compactMap { sorted, index -> (x: Double, y: Double)? in
                guard let error = largest(format, index) else {
                    overflowed = true
                    return nil
                }
                return (x.pixel(positions[sorted]), y.pixel(error))
            }
            let drawn = Self.envelope(pixels)
            let points = drawn.map { ChartFrame.number($0.x) + "," + ChartFrame.number($0.y) }
            let colour = Self.colour(format)
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\" "
                + "points=\"\(points.joined(separator: " "))\"/>\n"
            if pixels.count <= Self.markedPointLimit {
                for point in drawn { svg += ChartFrame.dot(x: point.x, y: point.y, radius: 3, colour: colour) }
            }
            svg += frame.legendEntry(row: row, label: format.rawValue) { cx, cy in
                ChartFrame.line(cx - 9, cy, cx + 9, cy, stroke: colour, width: 2)
            }
        }
        if allErrors.contains(0) {
            svg += ChartFrame.text("errors of 0 are drawn on", x: frame.legendLeft, y: frame.plotTop + 166)
            svg += ChartFrame.text("the bottom edge", x: frame.legendLeft, y: frame.plotTop + 182)
        }
        if overflowed {
            let lines = ["missing points: the position or", "angle overflows the format", "(float16 above 65504)"]
            for (index, line) in lines.enumerated() {
                svg += ChartFrame.text(line, x: frame.legendLeft, y: frame.plotTop + 102 + Double(index) * 16)
            }
        }
        return svg
    }

    /// Up to this many positions each get a marker; more are drawn as a line only.
    static let markedPointLimit = 100

    /// The points to draw, in position order: all of them when they are few, else per pixel column the lowest and
    /// highest error, so that up to `max_sequence_length` positions make a chart of bounded size that still shows
    /// every extreme.
    static func envelope(_ pixels: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        guard pixels.count > 2 * markedPointLimit else { return pixels }
        var drawn: [(x: Double, y: Double)] = []
        var start = pixels.startIndex
        while start < pixels.endIndex {
            let column = pixels[start].x.rounded()
            var end = start
            var lowest = pixels[start].y, highest = pixels[start].y
            while end < pixels.endIndex && pixels[end].x.rounded() == column {
                lowest = min(lowest, pixels[end].y)
                highest = max(highest, pixels[end].y)
                end += 1
            }
            drawn.append((column, lowest))
            if highest != lowest { drawn.append((column, highest)) }
            start = end
        }
        return drawn
    }
}
