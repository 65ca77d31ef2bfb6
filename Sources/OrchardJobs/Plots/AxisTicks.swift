import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 × 10^k on linear axes, powers of ten (with 2 and 5 when the
/// range is short) on log axes.
public enum AxisTicks {
    /// About `target` ticks covering [lo, hi]; returns the widened range and the ticks.
    public static func linear(lo: Double, hi: Double, target: Int = 5) -> (lo: Double, hi: Double, ticks: [Double]) {
        var lo = lo, hi = hi
        if !(hi > lo) { let pad = lo == 0 ? 1 : Swift.abs(lo) * 0.1; lo -= pad; hi += pad }
        let raw = (hi - lo) / Double(Swift.max(target, 1))
        let mag = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        // Tolerances keep rounding noise (a stacked total of 1.0000000002) from jumping to the next step.
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw * (1 - 1e-9) } ?? 10 * mag
        let first = Foundation.floor(lo / step + 1e-9) * step
        let last = Foundation.ceil(hi / step - 1e-9) * step
        var ticks: [Double] = []
        var v = first
        while v <= last + step * 1e-9 && ticks.count < 100 { ticks.append(Swift.abs(v) < step * 1e-9 ? 0 : v); v += step }
        return (first, last, ticks)
    }

    /// Ticks for a log axis over [lo, hi] (both > 0); the range is widened to whole decades.
    public static func logarithmic(lo: Double, hi: Double) -> (lo: Double, hi: Double, ticks: [Double]) {
        var a = Foundation.floor(Foundation.log10(lo)), b = Foundation.ceil(Foundation.log10(hi))
        if b <= a { b = a + 1 }
        if b - a > 12 { a = b - 12 }
        var ticks: [Double] = []
        let dense = b - a <= 1
        var e = a
        while e <= b {
            let p = Foundation.pow(10, e)
            ticks.append(p)
            if dense && e < b { ticks.append(2 * p); ticks.append(5 * p) }
            e += 1
        }
        return (Foundation.pow(10, a), Foundation.pow(10, b), ticks)
    }
}
