/// Double-precision central differences for checking hand-written backward passes.
public enum GradientCheck {
    /// ∂f/∂xᵢ ≈ (f(x + h eᵢ) − f(x − h eᵢ)) / 2h for every i, f evaluated in Float64.
    public static func numericGradient(at x: [Double], step h: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
        var x = x
        var g = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let saved = x[i]
            x[i] = saved + h; let up = f(x)
            x[i] = saved - h; let down = f(x)
            x[i] = saved
            g[i] = (up - down) / (2 * h)
        }
        return g
    }

    /// max_i |aᵢ − bᵢ| / max(1, max_i |bᵢ|): the error relative to the gradient's scale (1 for tiny gradients).
    public static func scaledMaxError(_ a: [Float], _ b: [Double]) -> Double {
        guard a.count == b.count else { return .infinity }
        let scale = Swift.max(1, b.map(abs).max() ?? 0)
        var worst = 0.0
        for i in 0..<a.count { worst = Swift.max(worst, abs(Double(a[i]) - b[i])) }
        return worst / scale
    }
}
