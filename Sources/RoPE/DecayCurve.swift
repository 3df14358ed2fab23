import Foundation

/// The RoFormer long-term decay bound (Su et al. 2021, section 3.4.3) sampled on an even grid of distances.
///
/// `bound(r) = (2/d) * sum_{j=1..d/2} |sum_{k=0..j-1} e^(i r theta_k)|` with `theta_k = b^(-2k/d)`;
/// at r = 0 it is (d/2 + 1)/2. `distance = linspace(0, maxDistance, points)` with both ends (points == 1 -> [0]).
public struct DecayCurve: Sendable, Equatable {
    /// The sampled relative distances.
    public let distance: [Double]
    /// The decay bound at each distance.
    public let bound: [Double]

    /// The largest number of samples accepted, so that no input can ask for unbounded memory.
    static let maximumPoints = 1 << 24

    /// Samples the bound for head dimension `dimension` (even, > 0), base `theta`, distances 0...maxDistance.
    public init(dimension: Int, theta: Double, maxDistance: Double, points: Int) throws(RoPEError) {
        guard dimension > 0, dimension % 2 == 0 else {
            throw RoPEError(.invalidParameter, field: "dim", "dim (\(dimension)) must be a positive even number")
        }
        try RoPEError.requirePositiveFinite(theta, field: "rope_theta")
        guard maxDistance.isFinite, maxDistance >= 0 else {
            throw RoPEError(.invalidParameter, field: "max_distance",
                            "max_distance (\(maxDistance)) must be a finite number >= 0")
        }
        guard points >= 1 else {
            throw RoPEError(.invalidParameter, field: "points", "points (\(points)) must be >= 1")
        }
        let half = dimension / 2
        let (work, overflow) = points.multipliedReportingOverflow(by: half)
        guard points <= Self.maximumPoints, !overflow, work <= Int.max / 8 else {
            throw RoPEError(.limitExceeded, field: "points",
                            "points (\(points)) must be <= \(Self.maximumPoints)")
        }

        // numpy.linspace: i * step, with the last sample exactly the end point.
        let step = points > 1 ? maxDistance / Double(points - 1) : 0
        var distances = (0..<points).map { Double($0) * step }
        if points > 1 { distances[points - 1] = maxDistance }

        let frequencies = (0..<half).map { k in pow(theta, -2 * Double(k) / Double(dimension)) }
        // With b < 1 the largest theta_k is huge; once r x theta_k leaves the double range the bound is NaN.
        guard let largest = frequencies.max(), largest.isFinite, (largest * maxDistance).isFinite else {
            throw RoPEError(.invalidParameter, field: "rope_theta",
                            "rope_theta (\(theta)) with dim \(dimension) gives angles r x theta_k that overflow "
                                + "up to max_distance (\(maxDistance))")
        }
        distance = distances
        bound = distances.map { r in
            var real = 0.0, imaginary = 0.0, total = 0.0
            for frequency in frequencies {
                // Partial sums of e^(i r theta_k) give the inner sum for every j in one pass.
                real += cos(r * frequency)
                imaginary += sin(r * frequency)
                total += (real * real + imaginary * imaginary).squareRoot()
            }
            return 2 / Double(dimension) * total
        }
    }
}
