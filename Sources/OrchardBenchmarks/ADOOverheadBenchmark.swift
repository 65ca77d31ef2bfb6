import Foundation
import OrchardMethods
import OrchardTensor

/// Micro-benchmark of ADO's own cost, to compare with a training step's wall-clock time:
/// the per-step policy update (history, losses, ρ, π, π̄) and one refit of all K domains.
/// Losses come from synthetic per-domain power laws with noise, so the fits do real work.
public enum ADOOverheadBenchmark {
    public struct Measurement: Sendable, Codable, Hashable {
        public var domains: Int
        public var batchSize: Int
        public var steps: Int
        /// Mean wall-clock of `observe` on steps without a refit.
        public var updateMicrosecondsPerStep: Double
        /// Mean wall-clock of a step with a refit (all K domains fitted).
        public var refitMilliseconds: Double
        public var refits: Int
        /// History points each domain's fit used at the last refit.
        public var pointsAtLastRefit: Int
        /// Mean objective evaluations per refit (all K domains).
        public var evaluationsPerRefit: Double
        /// Refit cost spread over `updateInterval` steps, plus the per-step update.
        public var amortizedMicrosecondsPerStep: Double
    }

    /// Runs `steps` ADO steps on K synthetic domains. Every domain i follows
    /// L = ε_i + β_i n^(-α_i) with 2% noise, except the last, which is flat (pure noise).
    /// Refits run on `threads` (one domain per thread at a time), as in a job.
    public static func run(domains k: Int, batchSize: Int, steps: Int, config: ADOConfig, seed: UInt64 = 0,
                           threads: ComputeThreads = .single) throws -> Measurement {
        let resolved = try config.resolved(for: ADOResolutionContext(totalSteps: steps, domainCount: k, vocabularySize: 256))
        let prior = (0..<k).map { _ in 1 / Double(k) }
        var policy = try ADOPolicy(config: resolved, prior: prior)
        var rng = SeededRandom(seed: seed)
        var updateTime = 0.0, updateSteps = 0, refitTime = 0.0, refits = 0, points = 0, evaluations = 0
        for t in 0..<steps {
            let n = Double(batchSize * (t + 1))
            var domainsOfBatch: [Int] = [], losses: [Double] = []
            let w = policy.weights
            for _ in 0..<batchSize {
                let u = rng.nextDouble()
                var acc = 0.0, d = k - 1
                for i in 0..<k { acc += w[i]; if u < acc { d = i; break } }
                let clean = d == k - 1 ? 4.5 : 0.6 + 0.3 * Double(d) + 8 * Foundation.pow(n, -0.2 - 0.05 * Double(d))
                domainsOfBatch.append(d)
                losses.append(clean * (1 + 0.02 * rng.nextGaussian()))
            }
            let start = DispatchTime.now().uptimeNanoseconds
            let refit = try policy.observe(domains: domainsOfBatch, losses: losses, threads: threads)
            let dt = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if let r = refit { refitTime += dt; refits += 1; points = r.points; evaluations += r.evaluations } else { updateTime += dt; updateSteps += 1 }
        }
        let perStep = updateSteps > 0 ? updateTime / Double(updateSteps) : 0
        let perRefit = refits > 0 ? refitTime / Double(refits) : 0
        return Measurement(domains: k, batchSize: batchSize, steps: steps,
                           updateMicrosecondsPerStep: perStep * 1e6, refitMilliseconds: perRefit * 1e3,
                           refits: refits, pointsAtLastRefit: points,
                           evaluationsPerRefit: refits > 0 ? Double(evaluations) / Double(refits) : 0,
                           amortizedMicrosecondsPerStep: (perStep + perRefit / Double(resolved.updateInterval)) * 1e6)
    }
}
