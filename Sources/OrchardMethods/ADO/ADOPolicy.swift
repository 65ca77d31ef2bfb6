import Foundation
import OrchardTensor

/// ADO's online policy (spec §1.3-1.4). Feed it each step's batch composition and per-sequence training
/// losses; it refits the per-domain scaling laws every `updateInterval` steps and returns π for the next step.
public struct ADOPolicy: Sendable {
    public let config: ResolvedADOConfig
    public private(set) var state: ADOState
    private let fitter: ScalingLawFitter

    public enum PolicyError: Error, Equatable, CustomStringConvertible {
        case invalidPrior(String)
        case invalidBatch(String)
        case stateMismatch(String)
        public var description: String {
            switch self {
            case .invalidPrior(let s): return "ado: invalid prior: \(s)"
            case .invalidBatch(let s): return "ado: invalid batch: \(s)"
            case .stateMismatch(let s): return "ado: state does not match: \(s)"
            }
        }
    }

    /// Starts from the prior μ (the natural distribution): π = h = π̄ = μ.
    public init(config: ResolvedADOConfig, prior: [Double]) throws {
        try config.validate(domainCount: prior.count)
        guard !prior.isEmpty, prior.allSatisfy({ $0.isFinite && $0 >= 0 }),
              Swift.abs(prior.reduce(0, +) - 1) < 1e-9 else {
            throw PolicyError.invalidPrior("must be non-negative and sum to 1, got \(prior)")
        }
        self.config = config
        self.state = ADOState(prior: prior)
        self.fitter = config.fitter
    }

    /// Resumes from an exported state.
    public init(config: ResolvedADOConfig, state: ADOState) throws {
        try config.validate(domainCount: state.prior.count)
        let k = state.prior.count
        guard state.history.count == k, state.policy.count == k, state.averagePreference.count == k,
              state.lossHistory.count == k, state.lossHistory.allSatisfy({ $0.count == state.step }),
              state.cumulativeCounts.count == state.step, state.laws.map({ $0.count == k }) ?? true else {
            throw PolicyError.stateMismatch("inconsistent lengths for \(k) domains at step \(state.step)")
        }
        self.config = config
        self.state = state
        self.fitter = config.fitter
    }

    /// π: the distribution to sample the next batch's domains from.
    public var weights: [Double] { state.policy }
    public var domainCount: Int { state.prior.count }

    /// Records step t = `state.step`: the domain of each sequence and its mean-token training loss.
    /// Returns the refit if one happened at this step. A refit fits the K domains' laws on `threads` (they are
    /// independent; the result does not depend on the thread count).
    @discardableResult
    public mutating func observe(domains: [Int], losses: [Double], threads: ComputeThreads = .single) throws -> ADORefit? {
        let k = domainCount
        guard !domains.isEmpty, domains.count == losses.count else {
            throw PolicyError.invalidBatch("\(domains.count) domains for \(losses.count) losses")
        }
        guard domains.allSatisfy({ $0 >= 0 && $0 < k }) else {
            throw PolicyError.invalidBatch("domain index out of 0..<\(k)")
        }
        guard losses.allSatisfy({ $0.isFinite }) else {
            throw PolicyError.invalidBatch("non-finite training loss (diverged?)")
        }
        let t = state.step
        let b = Double(domains.count)

        // Realised batch composition updates the credit history (official: from counts, not from π).
        var counts = [Double](repeating: 0, count: k)
        var sums = [Double](repeating: 0, count: k)
        for (d, l) in zip(domains, losses) { counts[d] += 1; sums[d] += l }
        let g1 = config.historyRate
        for i in 0..<k { state.history[i] = (1 - g1) * state.history[i] + g1 * counts[i] / b }

        // Per-domain loss: batch mean for the domain, else its previous value, else (t = 0) the batch mean.
        let batchMean = losses.reduce(0, +) / b
        for i in 0..<k {
            let v = counts[i] > 0 ? sums[i] / counts[i] : (state.lossHistory[i].last ?? batchMean)
            state.lossHistory[i].append(v)
        }
        // Same-step-size counting: every domain's n grows by the full batch size.
        state.cumulativeCounts.append((state.cumulativeCounts.last ?? 0) + b)
        state.step = t + 1

        var refit: ADORefit? = nil
        if t >= config.startStep && t % config.updateInterval == 0 {
            refit = self.refit(at: t, threads: threads)
        }
        if t >= config.startStep, let laws = state.laws {
            let n = state.cumulativeCounts[t]
            let rho = Self.preference(laws: laws, prior: state.prior, history: state.history, count: n, config: config)
            let g2 = config.smoothingRate
            var pi = (0..<k).map { g2 * rho[$0] + (1 - g2) * state.averagePreference[$0] }
            let w = 1 / Double(t + 1)
            for i in 0..<k { state.averagePreference[i] = (1 - w) * state.averagePreference[i] + w * rho[i] }
            if config.floorRule == .projection && pi.contains(where: { $0 < config.minimumWeight }) {
                pi = config.floorRule.apply(pi, deltaMin: config.minimumWeight)   // only when μ had weights < δ_min
            }
            let s = pi.reduce(0, +)
            state.policy = pi.map { $0 / s }
            state.preference = rho
        }
        return refit
    }

    /// Fits every domain on the smoothed, subsampled history; keeps the previous law where a fit fails. Windows come
    /// from each domain's measured noise when `adaptiveSmoothing`; before the first law, the fit is postponed while
    /// the losses have not fallen beyond their noise (`refitMinimumSignal`, `LossNoise`).
    private mutating func refit(at t: Int, threads: ComputeThreads) -> ADORefit? {
        let k = domainCount
        let length = t + 1
        let indices = Self.fitIndices(length: length, config: config)
        guard indices.count >= config.minimumFitPoints else { return nil }
        let xs = indices.map { state.cumulativeCounts[$0] }
        let order = config.smoothingOrder
        let noise: [Double?] = state.lossHistory.map { LossNoise.logNoise($0[config.ignoreSteps..<length]) }
        let windows: [Int] = (0..<k).map { i in
            guard config.smoothingWindow > 0 else { return 0 }
            let requested = config.adaptiveSmoothing
                ? noise[i].map { LossNoise.window(noise: $0, target: config.smoothingNoiseTarget, order: order, cap: config.smoothingWindow) }
                    ?? config.smoothingWindow
                : config.smoothingWindow
            return SavitzkyGolayFilter.effectiveWindow(requested: requested, length: length, order: order) ?? 0
        }
        let filters: [SavitzkyGolayFilter?] = windows.map { $0 > 0 ? try? SavitzkyGolayFilter(window: $0, order: order) : nil }
        let histories = state.lossHistory
        let smoothed: [[Double]] = (0..<k).map { filters[$0]?.apply(histories[$0]) ?? histories[$0] }

        if state.laws == nil && config.refitMinimumSignal > 0 {
            // The fall over the latest `refitSignalSpan` of the fit range (the whole range at 1).
            let last = indices.last!
            let first = max(indices.first!, last - Int((Double(last - indices.first!) * config.refitSignalSpan).rounded()))
            let falling = (0..<k).filter { i in
                guard let sigma = noise[i], smoothed[i][first] > 0, smoothed[i][last] > 0 else { return false }
                let drop = Foundation.log(smoothed[i][first]) - Foundation.log(smoothed[i][last])
                let gain = windows[i] > 0 ? LossNoise.endGain(window: windows[i], order: order) : 1
                return drop > config.refitMinimumSignal * sigma * (2 * gain).squareRoot()
            }.count
            if 2 * falling < k {
                return ADORefit(step: t, laws: Array(repeating: nil, count: k), objectives: Array(repeating: nil, count: k),
                                points: indices.count, evaluations: 0, lossNoise: noise, smoothingWindows: windows, postponed: true)
            }
        }

        let fitter = self.fitter
        var fits = [ScalingLawFitter.Fit?](repeating: nil, count: k)
        fits.withUnsafeMutableBufferPointer { out in
            threads.parallelFor(k) { _, i in   // each domain writes only its own slot
                out[i] = try? fitter.fit(counts: xs, losses: indices.map { smoothed[i][$0] })
            }
        }
        let laws = fits.map { $0?.law }, objectives = fits.map { $0?.objective }
        let evaluations = fits.reduce(0) { $0 + ($1?.evaluations ?? 0) }
        if let merged = Self.merge(fitted: laws, previous: state.laws) { state.laws = merged }
        let r = ADORefit(step: t, laws: laws, objectives: objectives, points: indices.count,
                         evaluations: evaluations, lossNoise: noise, smoothingWindows: windows)
        state.refits.append(r)
        return r
    }

    /// History steps a fit at history length `length` uses: from `ignoreSteps`, every `subsample`-th, with
    /// the stride raised (ceil) so that at most `maxFitPoints` remain when that limit is set.
    public static func fitIndices(length: Int, config: ResolvedADOConfig) -> [Int] {
        guard length > config.ignoreSteps else { return [] }
        var step = config.subsample
        if let cap = config.maxFitPoints, cap > 0 {
            step = Swift.max(step, (length - config.ignoreSteps + cap - 1) / cap)
        }
        return Array(stride(from: config.ignoreSteps, to: length, by: step))
    }

    /// The laws after a refit: a domain whose fit failed (NaN/Inf everywhere, too few points) keeps its
    /// previous law; nil while some domain has never had a law (then ADO stays on μ).
    public static func merge(fitted: [ScalingLaw?], previous: [ScalingLaw]?) -> [ScalingLaw]? {
        var merged: [ScalingLaw] = []
        for (i, law) in fitted.enumerated() {
            if let l = law, l.isFinite { merged.append(l) }
            else if let old = previous, i < old.count { merged.append(old[i]) }
            else { return nil }
        }
        return merged
    }

    /// Learning potential −dL̂/dn with the exponent floor of the official code: max(α, floor)·(L̂(n) − ε)/n,
    /// where L̂ uses the unclipped α.
    public static func learningPotential(_ law: ScalingLaw, count n: Double, exponentFloor: Double) -> Double {
        Swift.max(law.alpha, exponentFloor) * law.beta * Foundation.pow(n, -law.alpha) / n
    }

    /// ρ ∝ μ · h^s · (−dL̂/dn), floored at δ_min by the configured rule. Falls back to μ (floored) when
    /// every score is zero or non-finite.
    public static func preference(laws: [ScalingLaw], prior: [Double], history: [Double], count n: Double,
                                  config: ResolvedADOConfig) -> [Double] {
        let k = prior.count
        var w = [Double](repeating: 0, count: k)
        for i in 0..<k {
            let v = prior[i] * Foundation.pow(Swift.max(history[i], 0), config.creditExponent)
                * learningPotential(laws[i], count: n, exponentFloor: config.exponentFloor)
            w[i] = v.isFinite && v > 0 ? v : 0
        }
        var s = w.reduce(0, +)
        if !(s > 0) || !s.isFinite { w = prior; s = 1 }
        let rho = w.map { $0 / s }
        return config.floorRule.apply(rho, deltaMin: config.minimumWeight)
    }
}
