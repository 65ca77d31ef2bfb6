import Foundation

/// The noise of a domain's per-step training loss, and the smoothing and first-refit rules derived from it
/// (ours; docs/methods.md "ADO: smoothing and the first refit from the measured loss noise").
///
/// A domain's loss at step t is the mean over the ≈ B·π_d sequences of that domain in the batch, so its noise
/// depends on the batch size, the mixture and the domain; a fixed Savitzky–Golay window cannot suit all of them.
///   σ̂_d  = 1.4826 · MAD(Δ log L_d) / √2, over the steps where the domain was sampled (a step without the domain
///          repeats the previous value: those zero differences are left out). First differences remove the trend.
///   g(w) = Σ_j c_j², the centre-point noise gain of the order-p filter of window w (≈ 9/(4w) for p = 2, 3).
///   w_d  = the smallest odd window ≥ p + 2 (and ≥ 5) with σ̂_d·√g(w) ≤ τ, at most the cap: the smoothed log-loss
///          then has a noise sd of at most τ (default 0.01, i.e. 1 % of the loss).
///   First refit: postponed while fewer than half of the domains show a decrease of the smoothed log-loss over the
///          fit range, D_d = s_d(first) − s_d(last), of more than z·σ̂_d·√(2·g_end(w_d)) (z = `refitMinimumSignal`;
///          g_end: the gain at the series' ends, where the filter extrapolates — the conservative choice for both
///          points): a fit on a plateau sees no learning and puts α at a bound.
public enum LossNoise {
    /// σ̂ of the log-loss, or nil with fewer than 10 usable differences.
    public static func logNoise(_ history: ArraySlice<Double>) -> Double? {
        var diffs: [Double] = []
        diffs.reserveCapacity(history.count)
        var previous: Double? = nil
        for v in history {
            if let p = previous, v != p, v > 0, p > 0, v.isFinite, p.isFinite { diffs.append(Foundation.log(v) - Foundation.log(p)) }
            previous = v
        }
        guard diffs.count >= 10 else { return nil }
        let m = median(diffs)
        return 1.4826 * median(diffs.map { Swift.abs($0 - m) }) / 2.0.squareRoot()
    }

    /// Centre-point noise gain Σ c_j² of the Savitzky–Golay filter.
    public static func gain(window: Int, order: Int) -> Double {
        SavitzkyGolayFilter.noiseGain(window: window, order: order, position: window / 2)
    }

    /// End-point noise gain of the filter (the first and last smoothed points).
    public static func endGain(window: Int, order: Int) -> Double {
        SavitzkyGolayFilter.noiseGain(window: window, order: order, position: window - 1)
    }

    /// w_d: the smallest odd window in [max(5, p+2), cap] whose smoothed noise σ·√g(w) ≤ τ (cap when none is).
    public static func window(noise sigma: Double, target tau: Double, order: Int, cap: Int) -> Int {
        var lo = Swift.max(5, order + 2)
        if lo % 2 == 0 { lo += 1 }
        var hi = cap % 2 == 0 ? cap - 1 : cap
        guard hi > lo else { return Swift.max(hi, lo) }
        func ok(_ w: Int) -> Bool { sigma * gain(window: w, order: order).squareRoot() <= tau }
        if ok(lo) { return lo }
        if !ok(hi) { return hi }
        // g decreases with w: bisection over odd windows.
        while hi - lo > 2 {
            var mid = (lo + hi) / 2
            if mid % 2 == 0 { mid += 1 }
            if mid >= hi { mid -= 2 }
            if ok(mid) { hi = mid } else { lo = mid }
        }
        return hi
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }
}
