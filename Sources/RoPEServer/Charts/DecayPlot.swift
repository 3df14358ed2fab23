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
        let maxDistance = max(curve.distance.last ?? 0, 1e-12)
        let maxBound = max(curve.bound.max() ?? 0, 1e-12) * 1.05
        func x(_ distance: Double) -> Double { left + distance / maxDistance * plotWidth }
        func y(_ bound: Double) -> Double { top + plotHeight - bound / maxBound * plotHeight }
        func number(_ value: Double) -> String { String(format: "%.2f", value) }
        func label(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.3g", value)
        }

        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(number(width / 2))" y="24" text-anchor="middle" font-size="15">RoPE long-term decay (RoFormer 3.4.3), dim = \(dimension), theta = \(label(theta))</text>

        """
        // Axes.
        svg += "<line x1=\"\(number(left))\" y1=\"\(number(top + plotHeight))\" x2=\"\(number(left + plotWidth))\" y2=\"\(number(top + plotHeight))\" stroke=\"black\"/>\n"
        svg += "<line x1=\"\(number(left))\" y1=\"\(number(top))\" x2=\"\(number(left))\" y2=\"\(number(top + plotHeight))\" stroke=\"black\"/>\n"
        // Ticks: five on each axis.
        for step in 0...5 {
            let distance = maxDistance * Double(step) / 5
            let tickX = x(distance)
            svg += "<line x1=\"\(number(tickX))\" y1=\"\(number(top + plotHeight))\" x2=\"\(number(tickX))\" y2=\"\(number(top + plotHeight + 5))\" stroke=\"black\"/>\n"
            svg += "<text x=\"\(number(tickX))\" y=\"\(number(top + plotHeight + 18))\" text-anchor=\"middle\">\(label(distance))</text>\n"
            let bound = maxBound * Double(step) / 5
            let tickY = y(bound)
            svg += "<line x1=\"\(number(left - 5))\" y1=\"\(number(tickY))\" x2=\"\(number(left))\" y2=\"\(number(tickY))\" stroke=\"black\"/>\n"
            svg += "<text x=\"\(number(left - 8))\" y=\"\(number(tickY + 4))\" text-anchor=\"end\">\(String(format: "%.1f", bound))</text>\n"
        }
        svg += "<text x=\"\(number(left + plotWidth / 2))\" y=\"\(number(height - 15))\" text-anchor=\"middle\">relative distance</text>\n"
        svg += "<text x=\"18\" y=\"\(number(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(number(top + plotHeight / 2)))\">relative upper bound</text>\n"
        // The curve.
        let points = zip(curve.distance, curve.bound).map { "\(number(x($0))),\(number(y($1)))" }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
        svg += "</svg>\n"
        return svg
    }
}
