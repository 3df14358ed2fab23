import Foundation
import RoPE

/// An SVG line plot of a decay curve: axes with ticks, axis labels and a title naming dim and theta.
struct DecayPlot {
    let curve: DecayCurve
    let dimension: Int
    let theta: Double

    private let width = 720.0, height = 440.0
    private let left = 70.0, right = 20.0, top = 50.0, bottom = 60.0

    var svg: String {
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let plotBottom = top + plotHeight
        let maxDistance = max(curve.distance.last ?? 0, 1e-12)
        let maxBound = max(curve.bound.max() ?? 0, 1e-12) * 1.05
        func x(_ distance: Double) -> Double { left + distance / maxDistance * plotWidth }
        func y(_ bound: Double) -> Double { top + plotHeight - bound / maxBound * plotHeight }
        func label(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.3g", value)
        }
        let number = ChartFrame.number, line = ChartFrame.line, text = ChartFrame.text

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        svg += text("RoPE long-term decay (RoFormer 3.4.3), dim = \(dimension), theta = \(label(theta))",
                    width / 2, 24, "middle", 15, "black", "")
        svg += line(left, plotBottom, left + plotWidth, plotBottom, "black", 1, nil)
        svg += line(left, top, left, plotBottom, "black", 1, nil)
        // Ticks: five on each axis.
        for step in 0...5 {
            let distance = maxDistance * Double(step) / 5
            let tickX = x(distance)
            svg += line(tickX, plotBottom, tickX, plotBottom + 5, "black", 1, nil)
            svg += text(label(distance), tickX, plotBottom + 18, "middle", nil, "black", "")
            let bound = maxBound * Double(step) / 5
            let tickY = y(bound)
            svg += line(left - 5, tickY, left, tickY, "black", 1, nil)
            svg += text(String(format: "%.1f", bound), left - 8, tickY + 4, "end", nil, "black", "")
        }
        svg += text("relative distance", left + plotWidth / 2, height - 15, "middle", nil, "black", "")
        let middle = top + plotHeight / 2
        svg += text("relative upper bound", 18, middle, "middle", nil, "black",
                    " transform=\"rotate(-90 18 \(number(middle)))\"")
        // The curve.
        let points = zip(curve.distance, curve.bound).map { "\(number(x($0))),\(number(y($1)))" }
        svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" "
            + "points=\"\(points.joined(separator: " "))\"/>\n"
        svg += "</svg>\n"
        return svg
    }
}
