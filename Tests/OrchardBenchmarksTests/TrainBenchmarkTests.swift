import Foundation
import Testing
import OrchardBenchmarks
import OrchardTensor
@testable import OrchardModels

/// The engine benchmark behind `orchard-train-bench` and `orchard bench train`, on the tiny config with a few steps:
/// the fields the JSON report promises, and the in-process kernel comparison training both models on the same batches.
@Suite struct TrainBenchmarkTests {
    @Test func jsonReportCarriesTheBenchmarkFields() throws {
        let r = try TrainBenchmark.run(setup: "tiny", steps: 2, threads: 1, warmup: 0)
        #expect(r.tokens_per_second > 0 && r.step_ms > 0 && r.gflops > 0 && r.mfu > 0 && r.peak_rss_bytes > 0)
        #expect(r.tokensPerStep == 8 * 64 && r.steps == 2)
        #expect(r.gemm_kernel == GEMMKernel.preferred.rawValue)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(TrainBenchmark.jsonReport([r]).utf8)) as? [String: Any])
        for key in ["tokens_per_second", "step_ms", "gflops", "mfu", "peak_rss_bytes", "results"] {
            #expect(json[key] != nil, "missing \(key)")
        }
    }

    /// Both models start from the same seed and draw the same batches, so their losses agree to Float32 rounding of
    /// the two GEMMs; a shared sampler or a different seed would make them differ in the first digits.
    @Test func kernelComparisonTrainsBothModelsOnTheSameBatches() throws {
        let c = try TrainBenchmark.compareGEMMKernels(setup: "tiny", steps: 3, threads: 2, warmup: 1)
        #expect(c.pairs == 3 && c.openblas_step_ms > 0 && c.packed_step_ms > 0 && c.speedup > 0)
        #expect(c.packed_faster_pairs >= 0 && c.packed_faster_pairs <= 3)
        #expect(c.same_losses_to_1e_4)
    }

    @Test func unknownConfigIsAnError() {
        #expect(throws: ModelError.self) { try TrainBenchmark.compareGEMMKernels(setup: "huge", steps: 1, threads: 1) }
        #expect(throws: ModelError.self) { try TrainBenchmark.run(setup: "tiny", steps: 0, threads: 1) }
    }
}
