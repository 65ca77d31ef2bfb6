import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// The cost of a DPO step against a plain training step over the same tokens (issue 15 item 9): on a benchmark
/// config (B rows of T tokens), B/2 pairs whose rows (prompt + response) fill the context exactly, so both steps
/// push B·T tokens through the model. Two models with the same initialisation step in turn (ABAB in one process, as
/// `compareGEMMKernels` does) so a shared machine's drift hits both alike. The reference log-probs are computed
/// once before timing, as the dpo job does.
public enum DPOBenchmark {
    public struct Result: Encodable, Sendable {
        public var config: String
        public var threads: Int
        public var steps: Int
        public var pairs_per_step: Int
        public var tokens_per_step: Int
        public var dpo_step_ms: Double
        public var plain_step_ms: Double
        /// Median over step pairs of DPO step time / plain step time.
        public var relative_cost: Double
        public var pairs_per_second: Double
        public var blas_core: String

        public var summaryLine: String {
            String(format: "%@ dpo: %d pairs/step, %.1f ms/step (plain %.1f ms), %.3f× a plain step, %.1f pairs/s (%d threads, %@)",
                   config, pairs_per_step, dpo_step_ms, plain_step_ms, relative_cost, pairs_per_second, threads, blas_core)
        }
    }

    public static func run(setup name: String, steps: Int, threads: Int, warmup: Int = 3, seed: UInt64 = 1) throws -> Result {
        let setup = try TrainBenchmark.setup(named: name, steps: steps, warmup: warmup)
        guard setup.batch >= 2 else { throw ModelError.invalidInput("the DPO benchmark needs a batch of at least 2 rows") }
        let th = try ComputeThreads(threads)
        let t = setup.config.contextLength, pairsPerStep = setup.batch / 2
        let text = TrainBenchmark.benchmarkText()
        // Pairs cut from the licence texts: prompt of T/2 tokens, responses filling the row (T + 1 tokens in all).
        var rng = SeededRandom(seed: seed)
        let promptLength = t / 2, responseLength = t + 1 - promptLength
        let pairs: [EncodedPreferencePair] = (0..<(4 * pairsPerStep)).map { i in
            let a = rng.nextInt(below: text.count - t - 1), b = rng.nextInt(below: text.count - responseLength)
            return EncodedPreferencePair(id: "p\(i)", prompt: Array(text[a..<(a + promptLength)]),
                                         chosen: Array(text[(a + promptLength)..<(a + t + 1)]), rejected: Array(text[b..<(b + responseLength)]))
        }
        let dpoModel = try GPT(config: setup.config, maxBatch: setup.batch, threads: th, seed: seed, gemmKernel: .preferred)
        let plainModel = try GPT(config: setup.config, maxBatch: setup.batch, threads: th, seed: seed, gemmKernel: .preferred)
        let reference = try PairLogProbabilities.compute(model: dpoModel, pairs: pairs, batchPairs: pairsPerStep)
        let dpo = try PreferenceTrainer(trainer: GPTTrainer.adamW(model: dpoModel, learningRate: .constant(rate: 1e-4), seed: seed),
                                        loss: PreferenceLoss(kind: .dpo, beta: 0.1), pairs: pairs, reference: reference)
        let plain = try GPTTrainer.adamW(model: plainModel, learningRate: .constant(rate: 1e-4), seed: seed)
        let sampler = try TokenWindowSampler(tokens: text, batch: setup.batch, length: t)
        var inputs = [Int32](), targets = [Int32]()
        var dpoTimes: [Double] = [], plainTimes: [Double] = [], ratios: [Double] = []
        func ms(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        for i in 0..<(warmup + steps) {
            let batch = PreferenceTrainer.batch(step: i, batchPairs: pairsPerStep, count: pairs.count, seed: seed)
            sampler.sample(inputs: &inputs, targets: &targets, random: &plain.random)
            let d = try ms { try dpo.step(batch) }
            let p = try ms { try plain.trainStep(inputs: inputs, targets: targets) }
            if i >= warmup { dpoTimes.append(d); plainTimes.append(p); ratios.append(d / p) }
        }
        let dms = TrainBenchmark.median(dpoTimes)
        return Result(config: name, threads: threads, steps: steps, pairs_per_step: pairsPerStep, tokens_per_step: setup.batch * t,
                      dpo_step_ms: dms, plain_step_ms: TrainBenchmark.median(plainTimes), relative_cost: TrainBenchmark.median(ratios),
                      pairs_per_second: Double(pairsPerStep) / (dms / 1e3), blas_core: BLASRuntime.coreName)
    }
}
