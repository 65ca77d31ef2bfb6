import Foundation

/// Savitzky–Golay smoothing (polynomial order p over an odd window w) with scipy's default edge
/// mode "interp": interior points use the precomputed least-squares convolution weights; the first and
/// last w/2 points take the value of a degree-p polynomial fitted to the first / last w points.
public struct SavitzkyGolayFilter: Sendable {
    public let window: Int
    public let order: Int
    /// Convolution weights for the centre point.
    private let centreWeights: [Double]
    /// Σ c_j² of the centre weights: the variance of a smoothed interior point per unit variance of white noise.
    public var centreNoiseGain: Double { centreWeights.reduce(0) { $0 + $1 * $1 } }
    /// `edgeWeights[i]` gives the value at position i (0..<w) of the polynomial fitted to a window.
    private let edgeWeights: [[Double]]

    public enum FilterError: Error, Equatable, CustomStringConvertible {
        case invalidWindow(window: Int, order: Int)
        public var description: String {
            if case .invalidWindow(let w, let p) = self {
                return "Savitzky-Golay: window \(w) must be odd and larger than the order \(p)"
            }
            return ""
        }
    }

    public init(window: Int, order: Int = 3) throws {
        guard window % 2 == 1, window > order, order >= 0 else {
            throw FilterError.invalidWindow(window: window, order: order)
        }
        self.window = window
        self.order = order
        // Least-squares projection P = V (VᵀV)⁻¹ Vᵀ over positions x = 0..<w (centred for conditioning);
        // row i of P gives the fitted value at position i as weights on the w samples.
        let half = Double(window - 1) / 2
        let m = order + 1
        var v = [[Double]](repeating: [Double](repeating: 0, count: m), count: window)
        for i in 0..<window {
            let x = (Double(i) - half) / Swift.max(half, 1)
            var p = 1.0
            for k in 0..<m { v[i][k] = p; p *= x }
        }
        var gram = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        for r in 0..<m { for c in 0..<m { for i in 0..<window { gram[r][c] += v[i][r] * v[i][c] } } }
        let inv = Self.invert(gram)
        var proj = [[Double]](repeating: [Double](repeating: 0, count: window), count: window)
        for i in 0..<window {
            // coefficient row c_i = v_i (VᵀV)⁻¹
            var ci = [Double](repeating: 0, count: m)
            for k in 0..<m { for l in 0..<m { ci[k] += v[i][l] * inv[l][k] } }
            for j in 0..<window {
                var s = 0.0
                for k in 0..<m { s += ci[k] * v[j][k] }
                proj[i][j] = s
            }
        }
        self.edgeWeights = proj
        self.centreWeights = proj[window / 2]
    }

    /// Smooths `y`. Requires `y.count >= window`; shorter input is returned unchanged.
    public func apply(_ y: [Double]) -> [Double] {
        let n = y.count, w = window, h = w / 2
        guard n >= w else { return y }
        var out = [Double](repeating: 0, count: n)
        for i in h..<(n - h) {
            var s = 0.0
            for j in 0..<w { s += centreWeights[j] * y[i - h + j] }
            out[i] = s
        }
        for i in 0..<h {
            var s = 0.0, t = 0.0
            for j in 0..<w {
                s += edgeWeights[i][j] * y[j]
                t += edgeWeights[w - h + i][j] * y[n - w + j]
            }
            out[i] = s
            out[n - h + i] = t
        }
        return out
    }

    /// The window the spec prescribes for a history of `length` points: min(requested, length) made
    /// odd; nil when that is ≤ order + 1 (or ≤ 3), where the filter is skipped (mixtera's rule).
    public static func effectiveWindow(requested: Int, length: Int, order: Int = 3) -> Int? {
        var w = Swift.min(requested, length)
        if w % 2 == 0 { w -= 1 }
        return w > Swift.max(3, order + 1) ? w : nil
    }

    /// Σ_j P_ij², the white-noise variance gain of the smoothed value at position i of a window (i = w/2: an interior
    /// point; i = w − 1: the last point of a series), without building P: since P is the projection V(VᵀV)⁻¹Vᵀ,
    /// ‖row i‖² = P_ii = v_i (VᵀV)⁻¹ v_iᵀ. O(w·p²).
    public static func noiseGain(window: Int, order: Int, position i: Int) -> Double {
        let half = Double(window - 1) / 2, m = order + 1
        func row(_ k: Int) -> [Double] {
            let x = (Double(k) - half) / Swift.max(half, 1)
            var p = 1.0
            return (0..<m).map { _ in defer { p *= x }; return p }
        }
        var gram = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        for k in 0..<window {
            let v = row(k)
            for r in 0..<m { for c in 0..<m { gram[r][c] += v[r] * v[c] } }
        }
        let inv = invert(gram), v = row(i)
        var g = 0.0
        for r in 0..<m { for c in 0..<m { g += v[r] * inv[r][c] * v[c] } }
        return g
    }

    /// Gauss-Jordan inverse of a small symmetric positive-definite matrix.
    private static func invert(_ a: [[Double]]) -> [[Double]] {
        let n = a.count
        var m = a
        var inv = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for c in 0..<n {
            var p = c
            for r in c..<n where Swift.abs(m[r][c]) > Swift.abs(m[p][c]) { p = r }
            m.swapAt(c, p); inv.swapAt(c, p)
            let d = m[c][c]
            for k in 0..<n { m[c][k] /= d; inv[c][k] /= d }
            for r in 0..<n where r != c {
                let f = m[r][c]
                if f != 0 { for k in 0..<n { m[r][k] -= f * m[c][k]; inv[r][k] -= f * inv[c][k] } }
            }
        }
        return inv
    }
}
