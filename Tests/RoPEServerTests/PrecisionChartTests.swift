import Testing
import RoPE
@testable import RoPEServer

/// The precision panel stays a readable size however many positions are asked for, and keeps every extreme.
@Suite("Precision chart")
struct PrecisionChartTests {
    @Test("many points: per pixel column the lowest and highest error, in order")
    func envelopeKeepsExtremes() {
        let pixels = (0..<5_000).map { index in
            (x: Double(index) / 50, y: Double((index * 7_919) % 1_000))
        }
        let drawn = PrecisionPanel.envelope(pixels)
        #expect(drawn.count <= 2 * 101)
        #expect(drawn.map(\.y).min() == 0)
        #expect(drawn.map(\.y).max() == 999)
        #expect(zip(drawn, drawn.dropFirst()).allSatisfy { $0.x <= $1.x })
        // Few points are drawn as they are.
        let few = Array(pixels.prefix(150))
        #expect(PrecisionPanel.envelope(few).map(\.y) == few.map(\.y))
    }

    @Test("20,000 precision positions make an SVG of bounded size, with markers only for few points")
    func boundedSVG() throws {
        let spectrum = try Spectrum(parameters: RoPEParameters(), headDimension: 64, context: 4_096,
                                    maxPositionEmbeddings: nil)
        func chart(_ positions: [Int]?) -> String {
            SpectrumChart(spectrum: spectrum, precision: positions.map(spectrum.precision(positions:)),
                          parameters: RoPEParameters(), ropeApplied: true).svg
        }
        func markers(_ svg: String) -> Int { svg.components(separatedBy: "<circle").count - 1 }
        let withoutPanel = markers(chart(nil))
        let many = chart(Array(0..<20_000))
        #expect(many.utf8.count < 200_000, "\(many.utf8.count) bytes")
        #expect(markers(many) == withoutPanel)
        // Four positions in three formats: twelve markers.
        #expect(markers(chart([1, 10, 100, 1_000])) == withoutPanel + 12)
    }
}
