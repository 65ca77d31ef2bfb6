import Foundation

/// Fits one domain's scaling law by multi-started L-BFGS on `ScalingLawObjective` and keeps the start
/// with the smallest final J (NaN/Inf results ignored), as the official `ado.py`.
public struct ScalingLawFitter: Sendable {
    public var bounds: ScalingLawBounds
    public var grid: ScalingLawStartGrid
    public var minimizer: LBFGSMinimizer
    public var huberDelta: Double
    /// Tie-break of spec §1.8: adds `betaPenalty·β` to J (0 reproduces the official objective).
    public var betaPenalty: Double
    /// A fit on fewer usable points is refused (spec §1.8: ill-posed below ~20).
    public var minimumPoints: Int
    /// L-BFGS runs from this many starts: those with the smallest J at the start point (grid order breaks
    /// ties). nil, or a number ≥ the grid size, refines every start as the official code does.
    public var refinedStarts: Int?

    public init(bounds: ScalingLawBounds, grid: ScalingLawStartGrid = .official,
                minimizer: LBFGSMinimizer = LBFGSMinimizer(), huberDelta: Double = 1e-3,
                betaPenalty: Double = 0, minimumPoints: Int = 20, refinedStarts: Int? = nil) {
        self.bounds = bounds; self.grid = grid; self.minimizer = minimizer
        self.huberDelta = huberDelta; self.betaPenalty = betaPenalty; self.minimumPoints = minimumPoints
        self.refinedStarts = refinedStarts
    }

    public struct Fit: Sendable, Hashable, Codable {
        /// The best law over all starts.
        public var law: ScalingLaw
        /// Its objective value J.
        public var objective: Double
        /// Points the fit used (after dropping non-positive or non-finite ones).
        public var points: Int
        /// J reached from every start, in grid order: after L-BFGS for refined starts, at the start point
        /// for the others (NaN where a start diverged).
        public var startObjectives: [Double]
        /// Which starts (grid order) were refined by L-BFGS.
        public var refined: [Bool]
        /// Objective evaluations the whole fit took (a machine-independent cost measure).
        public var evaluations: Int
    }

    public enum FitError: Error, Equatable, CustomStringConvertible {
        case lengthMismatch(counts: Int, losses: Int)
        case tooFewPoints(usable: Int, required: Int)
        case noFiniteResult

        public var description: String {
            switch self {
            case .lengthMismatch(let c, let l): return "scaling-law fit: \(c) counts but \(l) losses"
            case .tooFewPoints(let u, let r): return "scaling-law fit: \(u) usable points, need at least \(r)"
            case .noFiniteResult: return "scaling-law fit: every start ended in NaN/Inf"
            }
        }
    }

    /// Fits L(n) to (counts, losses). Points with a non-positive or non-finite count or loss are
    /// dropped (the fit is in log space).
    public func fit(counts: [Double], losses: [Double]) throws -> Fit {
        guard counts.count == losses.count else {
            throw FitError.lengthMismatch(counts: counts.count, losses: losses.count)
        }
        var xs: [Double] = [], ys: [Double] = []
        for (n, l) in zip(counts, losses) where n > 0 && l > 0 && n.isFinite && l.isFinite {
            xs.append(n); ys.append(l)
        }
        guard xs.count >= Swift.max(1, minimumPoints) else {
            throw FitError.tooFewPoints(usable: xs.count, required: minimumPoints)
        }
        let objective = ScalingLawObjective(counts: xs, losses: ys, bounds: bounds,
                                            huberDelta: huberDelta, betaPenalty: betaPenalty)
        let f: (SIMD3<Double>) -> (Double, SIMD3<Double>) = { v in
            let r = objective.valueAndGradient(ScalingLaw(a: v.x, e: v.y, alpha: v.z))
            return (r.value, SIMD3(r.gradient.a, r.gradient.e, r.gradient.alpha))
        }
        let starts = grid.starts
        var perStart = starts.map { objective.value($0) }
        var refine = [Bool](repeating: true, count: starts.count)
        if let m = refinedStarts, m < starts.count {
            // Prescreen: rank starts by J at the start (NaN last, grid order breaks ties), refine the best m.
            let order = starts.indices.sorted { i, j in
                let a = perStart[i].isFinite ? perStart[i] : .infinity, b = perStart[j].isFinite ? perStart[j] : .infinity
                return a != b ? a < b : i < j
            }
            refine = [Bool](repeating: false, count: starts.count)
            for i in order.prefix(Swift.max(1, m)) { refine[i] = true }
        }
        var best: (law: ScalingLaw, value: Double)? = nil
        var evaluations = starts.count
        for (i, start) in starts.enumerated() {
            var law = start, value = perStart[i]
            if refine[i] {
                let r = minimizer.minimize(from: SIMD3(start.a, start.e, start.alpha), f)
                law = ScalingLaw(a: r.x.x, e: r.x.y, alpha: r.x.z)
                evaluations += r.evaluations
                value = r.value.isFinite && law.isFinite ? r.value : .nan
            }
            perStart[i] = value
            if value.isFinite, best == nil || value < best!.value { best = (law, value) }
        }
        guard let b = best else { throw FitError.noFiniteResult }
        return Fit(law: b.law, objective: b.value, points: xs.count, startObjectives: perStart, refined: refine,
                   evaluations: evaluations)
    }
}
