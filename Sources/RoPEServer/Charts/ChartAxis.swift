import Foundation

/// A chart axis mapping data values to pixels, linear or base-10 logarithmic, with its tick marks and labels.
struct ChartAxis {
    /// The smallest and largest value shown (both positive on a log axis).
    let lower: Double, upper: Double
    /// Whether positions along the axis are proportional to log10 of the value.
    let logarithmic: Bool
    /// The pixel coordinates of `lower` and `upper` (upper may be the smaller pixel, as on a y axis).
    let start: Double, end: Double

    /// A log axis over whole decades covering `values` with at least a factor of `spare` to spare at either end
    /// (2: no point or line sits on the frame; positive entries only, 1...10 when there are none).
    static func logarithmic(covering values: [Double], spare: Double = 2, from start: Double, to end: Double)
        -> ChartAxis
    {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        let low = ((positive.min() ?? spare) / spare).log10Floor
        let high = max(((positive.max() ?? 10 / spare) * spare).log10Ceiling, low + 1)
        return ChartAxis(lower: pow(10, low), upper: pow(10, high), logarithmic: true, start: start, end: end)
    }

    /// A linear axis from `lower` to `upper` (lower - 1 to upper + 1 when they are equal).
    static func linear(_ lower: Double, _ upper: Double, from start: Double, to end: Double) -> ChartAxis {
        upper > lower
            ? ChartAxis(lower: lower, upper: upper, logarithmic: false, start: start, end: end)
            : ChartAxis(lower: lower - 1, upper: upper + 1, logarithmic: false, start: start, end: end)
    }

    /// The pixel of `value`, clamped to the axis.
    func pixel(_ value: Double) -> Double {
        let fraction: Double
        if logarithmic {
            fraction = (log10(max(value, lower)) - log10(lower)) / (log10(upper) - log10(lower))
        } else {
            fraction = (value - lower) / (upper - lower)
        }
        return start + min(max(fraction, 0), 1) * (end - start)
    }

    /// Tick values: whole decades on a log axis (every second or third when there are many), else about six
    /// round numbers.
    var ticks: [Double] {
        if logarithmic {
            let low = Int(log10(lower).rounded()), high = Int(log10(upper).rounded())
            let step = max(1, (high - low + 7) / 8)
            return stride(from: low, through: high, by: step).map { pow(10, Double($0)) }
        }
        let rough = (upper - lower) / 5
        let magnitude = pow(10, rough.log10Floor)
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? rough
        return stride(from: (lower / step).rounded(.up) * step, through: upper + step * 1e-9, by: step).map { $0 }
    }

    /// A short label: decades as 1e-3 / 0.01 / 1 / 1k / 10k / 1M ..., integers as they are below 10^6, others
    /// in %g form.
    static func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude.log10Floor == log10(magnitude) {
            let exponent = Int(log10(magnitude).rounded())
            let sign = value < 0 ? "-" : ""
            switch exponent {
            case -2 ... -1: return sign + (exponent == -1 ? "0.1" : "0.01")
            case 0...2: return sign + String(Int(magnitude))
            case 3...5: return sign + String(Int(pow(10, Double(exponent - 3)))) + "k"
            case 6...8: return sign + String(Int(pow(10, Double(exponent - 6)))) + "M"
            default: return sign + "1e\(exponent)"
            }
        }
        if value == value.rounded(), magnitude < 1e6 { return String(Int(value)) }
        return String(format: "%.3g", value)
    }
}

extension Double {
    /// floor(log10(self)) as a Double.
    fileprivate var log10Floor: Double { log10(self).rounded(.down) }
    /// ceil(log10(self)) as a Double.
    fileprivate var log10Ceiling: Double { log10(self).rounded(.up) }
}
