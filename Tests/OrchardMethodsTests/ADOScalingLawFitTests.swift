import Testing
import Foundation
import OrchardTensor
@testable import OrchardMethods

/// Spec §6.1 checks 1-3: recovery from noisy synthetic curves, the closed-form derivative, best-of multi-start.
@Suite struct ADOScalingLawFitTests {
    static func syntheticCurve(epsilon: Double, beta: Double, alpha: Double, noise: Double, seed: UInt64)
        -> (counts: [Double], losses: [Double]) {
        var rng = SeededRandom(seed: seed)
        let counts = (0..<200).map { Foundation.pow(10, 3 + 3 * Double($0) / 199) }
        let losses = counts.map { (epsilon + beta * Foundation.pow($0, -alpha)) * (1 + noise * rng.nextGaussian()) }
        return (counts, losses)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func recoversPileScaleLawWithOfficialBounds(seed: UInt64) throws {
        let (n, l) = Self.syntheticCurve(epsilon: 2.0, beta: 30, alpha: 0.3, noise: 0.003, seed: seed)
        let fit = try ScalingLawFitter(bounds: .pile).fit(counts: n, losses: l)
        #expect(fit.law.alpha >= 0.27 && fit.law.alpha <= 0.33, "α = \(fit.law.alpha)")
        #expect(Swift.abs(fit.law.epsilon - 2.0) / 2.0 <= 0.03, "ε = \(fit.law.epsilon)")
        let truth = 2.0 + 30 * Foundation.pow(2e6, -0.3)
        #expect(Swift.abs(fit.law.loss(at: 2e6) - truth) / truth <= 0.01)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func recoversByteLevelLawWithRelaxedBounds(seed: UInt64) throws {
        let (n, l) = Self.syntheticCurve(epsilon: 0.7, beta: 30, alpha: 0.3, noise: 0.003, seed: seed)
        let fit = try ScalingLawFitter(bounds: .byteLevel, betaPenalty: 1e-4).fit(counts: n, losses: l)
        #expect(fit.law.alpha >= 0.27 && fit.law.alpha <= 0.33, "α = \(fit.law.alpha)")
        #expect(Swift.abs(fit.law.epsilon - 0.7) / 0.7 <= 0.03, "ε = \(fit.law.epsilon)")
        let truth = 0.7 + 30 * Foundation.pow(2e6, -0.3)
        #expect(Swift.abs(fit.law.loss(at: 2e6) - truth) / truth <= 0.01)
    }

    @Test func officialBoundsPinEpsilonOnByteLevelLosses() throws {
        // The pitfall of §1.8: with ε ≥ e^0.5 ≈ 1.65 a byte-level ε = 0.7 cannot be recovered.
        let (n, l) = Self.syntheticCurve(epsilon: 0.7, beta: 30, alpha: 0.3, noise: 0.003, seed: 1)
        let fit = try ScalingLawFitter(bounds: .pile).fit(counts: n, losses: l)
        #expect(fit.law.epsilon > 1.0)
    }

    @Test func derivativeMatchesCentralDifference() {
        let law = ScalingLaw(epsilon: 2, beta: 30, alpha: 0.3)
        for n in [1e3, 3.7e4, 1e6] {
            let h = n * 1e-5
            let fd = (law.loss(at: n + h) - law.loss(at: n - h)) / (2 * h)
            let closed = -law.alpha * (law.loss(at: n) - law.epsilon) / n
            #expect(Swift.abs(law.derivative(at: n) - fd) / Swift.abs(fd) < 1e-6)
            #expect(Swift.abs(closed - law.derivative(at: n)) / Swift.abs(closed) < 1e-12)
        }
    }

    @Test func objectiveGradientMatchesFiniteDifference() {
        let (n, l) = Self.syntheticCurve(epsilon: 1.2, beta: 10, alpha: 0.25, noise: 0.01, seed: 4)
        let obj = ScalingLawObjective(counts: n, losses: l, bounds: .byteLevel, huberDelta: 0.05, betaPenalty: 1e-3)
        let theta = ScalingLaw(a: 1.7, e: 0.1, alpha: 0.2)   // away from every penalty kink
        let g = obj.valueAndGradient(theta).gradient
        let h = 1e-6
        func f(_ da: Double, _ de: Double, _ dal: Double) -> Double {
            obj.value(ScalingLaw(a: theta.a + da, e: theta.e + de, alpha: theta.alpha + dal))
        }
        let fa = (f(h, 0, 0) - f(-h, 0, 0)) / (2 * h)
        let fe = (f(0, h, 0) - f(0, -h, 0)) / (2 * h)
        let fal = (f(0, 0, h) - f(0, 0, -h)) / (2 * h)
        #expect(Swift.abs(g.a - fa) <= 1e-5 * Swift.max(1, Swift.abs(fa)))
        #expect(Swift.abs(g.e - fe) <= 1e-5 * Swift.max(1, Swift.abs(fe)))
        #expect(Swift.abs(g.alpha - fal) <= 1e-5 * Swift.max(1, Swift.abs(fal)))
    }

    @Test func multiStartReturnsTheBestStartDeterministically() throws {
        let (n, l) = Self.syntheticCurve(epsilon: 2.0, beta: 30, alpha: 0.3, noise: 0.003, seed: 7)
        let fitter = ScalingLawFitter(bounds: .pile, grid: .coarse)
        let fit = try fitter.fit(counts: n, losses: l)
        #expect(fit.startObjectives.count == 64)
        for j in fit.startObjectives where j.isFinite { #expect(fit.objective <= j) }
        let obj = ScalingLawObjective(counts: n, losses: l, bounds: .pile)
        #expect(Swift.abs(obj.value(fit.law) - fit.objective) <= 1e-12 * Swift.max(1, fit.objective))
        #expect(try fitter.fit(counts: n, losses: l) == fit)
        #expect(fit.refined.allSatisfy { $0 })
    }

    @Test func prescreenedMultiStartIsBestOfEveryStart() throws {
        let (n, l) = Self.syntheticCurve(epsilon: 2.0, beta: 30, alpha: 0.3, noise: 0.003, seed: 8)
        let full = try ScalingLawFitter(bounds: .pile).fit(counts: n, losses: l)
        let fit = try ScalingLawFitter(bounds: .pile, refinedStarts: 16).fit(counts: n, losses: l)
        #expect(fit.refined.filter { $0 }.count == 16)
        for j in fit.startObjectives where j.isFinite { #expect(fit.objective <= j) }
        // Refining the 16 most promising starts reaches the same minimum as refining all 512.
        #expect(Swift.abs(fit.objective - full.objective) <= 1e-6 * Swift.max(1e-3, full.objective))
        #expect(Swift.abs(fit.law.alpha - full.law.alpha) < 1e-3)
    }

    @Test func refusesIllPosedFits() {
        let fitter = ScalingLawFitter(bounds: .byteLevel)
        #expect(throws: ScalingLawFitter.FitError.tooFewPoints(usable: 5, required: 20)) {
            try fitter.fit(counts: [1, 2, 3, 4, 5], losses: [3, 2.5, 2.2, 2.1, 2.0])
        }
        #expect(throws: ScalingLawFitter.FitError.lengthMismatch(counts: 2, losses: 1)) {
            try fitter.fit(counts: [1, 2], losses: [3])
        }
    }
}
