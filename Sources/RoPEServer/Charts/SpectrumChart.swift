import Foundation
import RoPE

/// The SVG answer of `/spectrum`: the wavelength panel, and below it the precision panel when positions were given.
struct SpectrumChart {
    let spectrum: Spectrum
    let precision: AnglePrecision?
    let parameters: RoPEParameters
    let ropeApplied: Bool

    static let width = 920.0
    static let panelHeight = 470.0

    var svg: String {
        let height = Self.panelHeight * (precision == nil ? 1 : 2)
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(Self.width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>

        """
        svg += WavelengthPanel(spectrum: spectrum, parameters: parameters, ropeApplied: ropeApplied, top: 0).svg
        if let precision {
            svg += PrecisionPanel(precision: precision, top: Self.panelHeight).svg
        }
        svg += "</svg>\n"
        return svg
    }
}

/// Pixel geometry shared by the panels: the plot area and the legend column to its right.
struct ChartFrame {
    let top: Double
    let left = 80.0, plotRight = 690.0, legendLeft = 712.0
    var plotTop: Double { top + 62 }
    var plotBottom: Double { top + SpectrumChart.panelHeight - 58 }

    /// `value` with two decimals, the precision every coordinate is written with.
    static func number(_ value: Double) -> String { String(format: "%.2f", value) }

    /// XML text with `&`, `<` and `>` escaped.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A text element.
    static func text(_ content: String, x: Double, y: Double, anchor: String = "start", size: Int? = nil,
                     fill: String = "black", extra: String = "") -> String {
        let sizeAttribute = size.map { " font-size=\"\($0)\"" } ?? ""
        return "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
            + "\(sizeAttribute)\(extra)>\(escaped(content))</text>\n"
    }

    /// A straight line.
    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "black",
                     width: Double = 1, dash: String? = nil) -> String {
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        return "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\" "
            + "stroke=\"\(stroke)\" stroke-width=\"\(number(width))\"\(dashAttribute)/>\n"
    }

    /// A filled circle.
    static func dot(x: Double, y: Double, radius: Double, colour: String) -> String {
        "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"\(radius)\" fill=\"\(colour)\"/>\n"
    }

    /// The frame of the plot area, the title and subtitle above it, the axis titles, and the ticks of both axes
    /// with faint grid lines across the area.
    func decorations(title: String, subtitle: String, xTitle: String, yTitle: String, x: ChartAxis, y: ChartAxis,
                     xTicks: [Double]) -> String {
        var svg = Self.text(title, x: left, y: top + 24, size: 15)
        svg += Self.text(subtitle, x: left, y: top + 44, fill: "#444")
        for tick in y.ticks {
            let pixel = y.pixel(tick)
            svg += Self.line(left, pixel, plotRight, pixel, stroke: "#e4e4e4")
            svg += Self.line(left - 5, pixel, left, pixel)
            svg += Self.text(ChartAxis.label(tick), x: left - 8, y: pixel + 4, anchor: "end")
        }
        for tick in xTicks {
            let pixel = x.pixel(tick)
            svg += Self.line(pixel, plotBottom, pixel, plotBottom + 5)
            svg += Self.text(ChartAxis.label(tick), x: pixel, y: plotBottom + 18, anchor: "middle")
        }
        svg += "<rect x=\"\(Self.number(left))\" y=\"\(Self.number(plotTop))\" "
            + "width=\"\(Self.number(plotRight - left))\" height=\"\(Self.number(plotBottom - plotTop))\" "
            + "fill=\"none\" stroke=\"black\"/>\n"
        svg += Self.text(xTitle, x: (left + plotRight) / 2, y: plotBottom + 40, anchor: "middle")
        let middle = (plotTop + plotBottom) / 2
        svg += Self.text(yTitle, x: 20, y: middle, anchor: "middle",
                         extra: " transform=\"rotate(-90 20 \(Self.number(middle)))\"")
        return svg
    }

    /// One legend entry at row `row`: a swatch drawn by `swatch` (given its centre) and a label.
    func legendEntry(row: Int, label: String, swatch: (Double, Double) -> String) -> String {
        let y = plotTop + 14 + Double(row) * 22
        return swatch(legendLeft + 10, y) + Self.text(label, x: legendLeft + 26, y: y + 4)
    }
}
