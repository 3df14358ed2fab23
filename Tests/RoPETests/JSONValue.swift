import Foundation
import RoPE

/// Test-only readers for `JSONSerialization` values and query-string strings.
enum JSONValue {
    /// A number from an NSNumber or a numeric string.
    static func double(_ value: Any?) -> Double? {
        switch value {
        case let number as NSNumber: return number.doubleValue
        case let string as String: return Double(string)
        default: return nil
        }
    }

    /// An integer from an integral NSNumber or an integer string.
    static func int(_ value: Any?) -> Int? {
        switch value {
        case let number as NSNumber:
            let double = number.doubleValue
            return double == double.rounded() ? number.intValue : nil
        case let string as String: return Int(string)
        default: return nil
        }
    }

    /// A boolean from a JSON true/false or the strings "true"/"false".
    static func bool(_ value: Any?) -> Bool? {
        switch value {
        case let string as String: return string == "true" ? true : (string == "false" ? false : nil)
        case let number as NSNumber: return number.boolValue
        default: return nil
        }
    }

    /// Every leaf of a nested array in row-major order; JSON null becomes nil.
    static func flattenNumbers(_ value: Any) -> [Double?] {
        if let array = value as? [Any] { return array.flatMap(flattenNumbers) }
        if value is NSNull { return [nil] }
        return [double(value)]
    }

    /// A nested array of numbers as a Tensor (shape from the nesting, values row-major).
    static func tensor(_ value: Any?) throws -> Tensor {
        guard let value else { throw GoldenError.malformed("missing tensor") }
        var shape: [Int] = []
        var probe: Any = value
        while let array = probe as? [Any] {
            shape.append(array.count)
            guard let first = array.first else { break }
            probe = first
        }
        let values = flattenNumbers(value).map { Float($0 ?? .nan) }
        return Tensor(shape: shape, values: values)
    }

    /// Positions: 3-axis M-RoPE positions when `multiAxis` is given ([3, s] shared, deeper per row), else
    /// absent -> sequential, a flat list -> shared, a nested list -> per row.
    static func positionGrid(_ value: Any?, multiAxis: Any?) throws -> PositionGrid {
        if let axes = multiAxis as? [Any] {
            let lists = axes.map { flattenNumbers($0).compactMap { $0.map { Int($0) } } }
            guard lists.count == 3 else { throw GoldenError.malformed("mrope_positions") }
            let perRow = (axes.first as? [Any])?.first is [Any]
            return .multiAxis(MRoPEPositions(temporal: lists[0], height: lists[1], width: lists[2], isPerRow: perRow))
        }
        return try positionGrid(value)
    }

    /// Positions: absent -> sequential, a flat list -> shared, a nested list -> per row.
    static func positionGrid(_ value: Any?) throws -> PositionGrid {
        guard let array = value as? [Any] else { return .sequential }
        let flat = flattenNumbers(array).map { $0.map { Int($0) } }
        guard flat.allSatisfy({ $0 != nil }) else { throw GoldenError.malformed("positions") }
        let positions = flat.compactMap { $0 }
        return array.first is [Any] ? .perRow(positions) : .shared(positions)
    }
}
