import Testing
import Foundation
@testable import OrchardMethods

/// ADO's overhead must be tiny next to a training step (spec: < 1% in the issue, < 5% with fits at t_update 200).
/// This runs the micro-benchmark on a small configuration and prints the numbers; docs/performance.md
/// reports a longer run of the same function.
@Suite struct ADOOverheadBenchmarkTests {
    @Test func perStepUpdateIsMicroseconds() throws {
        var config = ADOConfig()
        config.updateInterval = .value(100)
        config.startGrid = .value(.coarse)
        let m = try ADOOverheadBenchmark.run(domains: 8, batchSize: 32, steps: 400, config: config)
        print("ADO overhead K=8 B=32 steps=400 t_update=100 coarse grid: update \(m.updateMicrosecondsPerStep) µs/step, refit \(m.refitMilliseconds) ms (\(m.pointsAtLastRefit) points), amortized \(m.amortizedMicrosecondsPerStep) µs/step, \(m.evaluationsPerRefit) evaluations/refit")
        #expect(m.refits >= 2)
        // The per-step policy update is arithmetic on K numbers; 1 ms would already be a bug.
        #expect(m.updateMicrosecondsPerStep < 1000)
    }
}
