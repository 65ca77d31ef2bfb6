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

    public init(bounds: ScalingLawBounds, grid: ScalingLawStartGrid = .official,
                minimizer: LBFGSMinimizer = LBFGSMinimizer(), huberDelta: Double = 1e-3,
                betaPenalty: Double = 0, minimumPoints: Int = 20) {
        self.bounds = bounds; self.grid = grid; self.minimizer = minimizer
        self.huberDelta = huberDelta; self.betaPenalty = betaPenalty; self.minimumPoints = minimumPoints
    }

    public struct Fit: Sendable, Hashable, Codable {
        /// The best law over all starts.
        public var law: ScalingLaw
        /// Its objective value J.
        public var objective: Double
        /// Points the fit used (after dropping non-positive or non-finite ones).
        public var points: Int
        /// Final J reached from every start, in grid order (NaN where a start diverged).
        public var startObjectives: [Double]
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
        var best: (law: ScalingLaw, value: Double)? = nil
        var perStart: [Double] = []
        for start in grid.starts {
            let r = minimizer.minimize(from: SIMD3(start.a, start.e, start.alpha), f)
            let law = ScalingLaw(a: r.x.x, e: r.x.y, alpha: r.x.z)
            let value = r.value.isFinite && law.isFinite ? r.value : .nan
            perStart.append(value)
            if value.isFinite, best == nil || value < best!.value { best = (law, value) }
        }
        guard let b = best else { throw FitError.noFiniteResult }
        return Fit(law: b.law, objective: b.value, points: xs.count, startObjectives: perStart)
    }
}
