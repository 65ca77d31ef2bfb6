import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// The cost of a distillation step (issue 16 item 8): a student on a benchmark config learns from a teacher with
/// twice its layers (same width, context and vocabulary), soft targets at every position (τ = 1, κ = 0), against a plain
/// training step of the same student over the same tokens. The two students step in turn (ABAB in one process) so a
/// shared machine's drift hits both alike; the teacher's forward and the targets are timed inside the distill step.
public enum DistillBenchmark {
    public struct Result: Encodable, Sendable {
        public var config: String
        public var teacher_layers: Int
        public var threads: Int
        public var steps: Int
        public var tokens_per_step: Int
        public var distill_step_ms: Double
        public var plain_step_ms: Double
        /// Median over step pairs of distill step time / plain step time.
        public var relative_cost: Double
        /// Median share of the distill step spent in the teacher's forward and the soft targets.
        public var teacher_fraction: Double
        public var student_tokens_per_second: Double
        public var blas_core: String

        public var summaryLine: String {
            String(format: "%@ distill (teacher L%d): %.1f ms/step (plain %.1f ms), %.2f× a plain step, teacher %.0f%% of the step, %.0f student tok/s (%d threads, %@)",
                   config, teacher_layers, distill_step_ms, plain_step_ms, relative_cost, 100 * teacher_fraction, student_tokens_per_second,
                   threads, blas_core)
        }
    }

    public static func run(setup name: String, steps: Int, threads: Int, warmup: Int = 3, seed: UInt64 = 1) throws -> Result {
        let setup = try TrainBenchmark.setup(named: name, steps: steps, warmup: warmup)
        let th = try ComputeThreads(threads)
        let c = setup.config, B = setup.batch, T = c.contextLength, V = c.vocabularySize
        var teacherConfig = c
        teacherConfig.layers = 2 * c.layers
        let teacher = try GPT(config: teacherConfig, maxBatch: B, threads: th, seed: seed + 1, gemmKernel: .preferred, inferenceOnly: true)
        let student = try GPTTrainer.adamW(model: try GPT(config: c, maxBatch: B, threads: th, seed: seed, gemmKernel: .preferred),
                                           learningRate: .constant(rate: 3e-4), seed: seed)
        let plain = try GPTTrainer.adamW(model: try GPT(config: c, maxBatch: B, threads: th, seed: seed, gemmKernel: .preferred),
                                         learningRate: .constant(rate: 3e-4), seed: seed)
        let sampler = try TokenWindowSampler(tokens: TrainBenchmark.benchmarkText(), batch: B, length: T)
        let loss = DistillationLoss(temperature: 1, hardLabelWeight: 0)
        let uniform = [Float](repeating: 1 / Float(B * T), count: B * T)
        var inputs = [Int32](), targets = [Int32]()
        var distillTimes: [Double] = [], plainTimes: [Double] = [], ratios: [Double] = [], shares: [Double] = []
        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        for i in 0..<(warmup + steps) {
            sampler.sample(inputs: &inputs, targets: &targets, random: &plain.random)
            var teacherNs: UInt64 = 0
            let d0 = now()
            try student.trainStep(inputs: inputs, targets: targets, batch: B, length: T, objective: { lp in
                (-lp.reduce(0.0) { $0 + Double($1) } / Double(B * T), uniform)
            }, beforeBackward: { model in
                let t0 = now()
                try teacher.forward(inputs: inputs, batch: B, length: T)
                let q = teacher.withLastLogits { loss.targets(teacherLogits: $0, rows: B * T, classes: V, labels: nil) }
                teacherNs = now() - t0
                try model.setSoftTargets(dense: q)
            })
            let d = Double(now() - d0) / 1e6
            let p0 = now()
            try plain.trainStep(inputs: inputs, targets: targets)
            let p = Double(now() - p0) / 1e6
            if i >= warmup { distillTimes.append(d); plainTimes.append(p); ratios.append(d / p); shares.append(Double(teacherNs) / 1e6 / d) }
        }
        let dms = TrainBenchmark.median(distillTimes)
        return Result(config: name, teacher_layers: teacherConfig.layers, threads: threads, steps: steps, tokens_per_step: B * T,
                      distill_step_ms: dms, plain_step_ms: TrainBenchmark.median(plainTimes), relative_cost: TrainBenchmark.median(ratios), teacher_fraction: TrainBenchmark.median(shares),
                      student_tokens_per_second: Double(B * T) / (dms / 1e3), blas_core: BLASRuntime.coreName)
    }
}
