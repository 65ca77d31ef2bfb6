import Foundation
import OrchardModels
import OrchardTensor
#if canImport(Glibc)
import Glibc
#endif

/// Training throughput benchmark (AdamW, fp32) for the named configs of issue 3; the logic behind
/// `orchard-train-bench` and `orchard bench train`.
public enum TrainBenchmark {
    /// The upper median of timings (the middle element of the sorted list; the upper one for an even count).
    static func median(_ x: [Double]) -> Double { x.sorted()[x.count / 2] }

    public struct Setup: Sendable, Codable, Equatable {
        public var name: String
        public var config: GPTConfig
        public var batch: Int
    }

    /// tiny: L2 d128 H4 T64 B8; small: L4 d256 H4 T128 B16; both byte-level (vocab 256).
    public static let setups: [String: Setup] = [
        "tiny": Setup(name: "tiny", config: GPTConfig(vocabularySize: 256, contextLength: 64, layers: 2, channels: 128, heads: 4), batch: 8),
        "small": Setup(name: "small", config: GPTConfig(vocabularySize: 256, contextLength: 128, layers: 4, channels: 256, heads: 4), batch: 16),
    ]

    public struct Result: Sendable, Codable {
        public var config: String
        public var threads: Int
        public var steps: Int
        public var warmupSteps: Int
        public var tokensPerStep: Int
        public var tokens_per_second: Double
        public var step_ms: Double
        public var step_ms_best: Double
        public var gflops: Double
        public var peak_gflops: Double
        public var mfu: Double
        public var peak_rss_bytes: Int
        public var flops_per_token: Double
        public var parameters: Int
        public var first_loss: Float
        public var last_loss: Float
        public var blas_core: String
        /// The GEMM of the projections' forward and input-gradient products: "packed" or "openblas" (GEMMKernel).
        public var gemm_kernel: String

        /// One human-readable line (the text output of both benchmark commands).
        public var summaryLine: String {
            String(format: "%@: %.0f tokens/s, step %.1f ms (best %.1f), %.1f GFLOP/s, MFU %.1f%% of measured sgemm peak %.1f GFLOP/s, peak RSS %.1f MiB, loss %.3f -> %.3f, threads %d, BLAS %@, GEMM %@",
                   config, tokens_per_second, step_ms, step_ms_best, gflops, 100 * mfu, peak_gflops,
                   Double(peak_rss_bytes) / 1_048_576, first_loss, last_loss, threads, blas_core, gemm_kernel)
        }
    }

    /// The output of `--json`: the last config's figures at top level, every config under "results".
    public static func jsonReport(_ results: [Result]) throws -> String {
        struct Output: Encodable {
            let tokens_per_second, step_ms, gflops, mfu: Double
            let peak_rss_bytes: Int
            let results: [Result]
        }
        guard let last = results.last else { throw ModelError.invalidInput("no benchmark results") }
        return try json(Output(tokens_per_second: last.tokens_per_second, step_ms: last.step_ms, gflops: last.gflops,
                               mfu: last.mfu, peak_rss_bytes: last.peak_rss_bytes, results: results))
    }

    /// One JSON object with sorted keys (the benchmarks' machine-readable output).
    public static func json<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }

    /// The named setup, after checking the step counts; OpenBLAS is made single-threaded (the engine splits work).
    static func setup(named name: String, steps: Int, warmup: Int) throws -> Setup {
        guard let setup = setups[name] else {
            throw ModelError.invalidInput("unknown benchmark config '\(name)' (known: \(setups.keys.sorted().joined(separator: ", ")))")
        }
        guard steps >= 1, warmup >= 0 else { throw ModelError.invalidInput("steps must be >= 1") }
        BLASRuntime.useSingleThreadedBLAS()
        return setup
    }

    /// A benchmark training run: the model, its AdamW trainer (lr 3e-4 constant) and a sampler of byte windows.
    struct TrainingRun {
        let trainer: GPTTrainer
        let sampler: TokenWindowSampler

        init(_ setup: Setup, text: [Int32], threads: ComputeThreads, seed: UInt64, kernel: GEMMKernel) throws {
            let model = try GPT(config: setup.config, maxBatch: setup.batch, threads: threads, seed: seed, gemmKernel: kernel)
            trainer = try GPTTrainer.adamW(model: model, learningRate: .constant(rate: 3e-4), seed: seed)
            sampler = try TokenWindowSampler(tokens: text, batch: setup.batch, length: setup.config.contextLength)
        }

        /// Samples a batch (untimed) and takes one training step: its loss and milliseconds.
        func timedStep(inputs: inout [Int32], targets: inout [Int32]) throws -> (loss: Float, ms: Double) {
            sampler.sample(inputs: &inputs, targets: &targets, random: &trainer.random)
            let start = DispatchTime.now().uptimeNanoseconds
            let loss = try trainer.trainStep(inputs: inputs, targets: targets).loss
            return (loss, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
    }

    /// Runs `warmup` untimed then `steps` timed AdamW steps on byte windows of real text; step_ms is the median.
    public static func run(setup name: String, steps: Int, threads: Int, warmup: Int = 3, seed: UInt64 = 1) throws -> Result {
        let setup = try setup(named: name, steps: steps, warmup: warmup)
        let th = try ComputeThreads(threads)
        let run = try TrainingRun(setup, text: benchmarkText(), threads: th, seed: seed, kernel: .preferred)
        let model = run.trainer.model
        var inputs = [Int32](), targets = [Int32]()
        var times = [Double]()
        var first: Float = 0, last: Float = 0
        for i in 0..<(warmup + steps) {
            let step = try run.timedStep(inputs: &inputs, targets: &targets)
            if i == 0 { first = step.loss }
            last = step.loss
            if i >= warmup { times.append(step.ms) }
        }
        times.sort()
        let median = times[times.count / 2]
        let tokens = setup.batch * setup.config.contextLength
        let flopsPerToken = setup.config.trainingFLOPsPerToken
        let gflops = Double(tokens) * flopsPerToken / (median / 1e3) / 1e9
        let peak = measureSGEMMPeak(threads: th)
        return Result(config: name, threads: threads, steps: steps, warmupSteps: warmup, tokensPerStep: tokens,
                      tokens_per_second: Double(tokens) / (median / 1e3), step_ms: median, step_ms_best: times[0],
                      gflops: gflops, peak_gflops: peak, mfu: gflops / peak, peak_rss_bytes: peakRSSBytes(),
                      flops_per_token: flopsPerToken, parameters: model.parameterCount, first_loss: first, last_loss: last,
                      blas_core: BLASRuntime.coreName, gemm_kernel: model.gemmKernel.rawValue)
    }

    /// Two runs of the same training in one process, one per GEMM kernel, stepping in turn (ABBA order), so that
    /// the drift of a shared machine hits both alike: alternating steps in one process vary far less than separate
    /// processes do (docs/performance.md). `speedup` is the median over step pairs of openBLAS step time / packed
    /// step time.
    public struct KernelComparison: Encodable {
        public var config: String
        public var threads: Int
        public var pairs: Int
        public var openblas_step_ms: Double
        public var packed_step_ms: Double
        public var speedup: Double
        public var packed_faster_pairs: Int
        public var same_losses_to_1e_4: Bool
        public var blas_core: String

        public var summaryLine: String {
            String(format: "%@, %d threads, %d step pairs: OpenBLAS %.1f ms, packed %.1f ms (medians); packed faster by %.1f%% (median of pairs), in %d of %d pairs; BLAS %@",
                   config, threads, pairs, openblas_step_ms, packed_step_ms, 100 * (speedup - 1), packed_faster_pairs, pairs, blas_core)
        }
    }

    public static func compareGEMMKernels(setup name: String, steps: Int, threads: Int, warmup: Int = 3,
                                          seed: UInt64 = 1) throws -> KernelComparison {
        let setup = try setup(named: name, steps: steps, warmup: warmup)
        let th = try ComputeThreads(threads)
        let text = benchmarkText()
        let runs = try [GEMMKernel.openBLAS, .packed].map { try TrainingRun(setup, text: text, threads: th, seed: seed, kernel: $0) }
        var inputs = [Int32](), targets = [Int32]()
        var times: [[Double]] = [[], []], losses: [[Float]] = [[], []]
        for i in 0..<(warmup + steps) {
            for r in (i % 2 == 0 ? [0, 1] : [1, 0]) {
                let step = try runs[r].timedStep(inputs: &inputs, targets: &targets)
                losses[r].append(step.loss)
                if i >= warmup { times[r].append(step.ms) }
            }
        }
        let ratios = zip(times[0], times[1]).map { $0 / $1 }
        return KernelComparison(config: name, threads: threads, pairs: steps, openblas_step_ms: median(times[0]),
                                packed_step_ms: median(times[1]), speedup: median(ratios),
                                packed_faster_pairs: ratios.filter { $0 > 1 }.count,
                                same_losses_to_1e_4: zip(losses[0], losses[1]).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) },
                                blas_core: BLASRuntime.coreName)
    }

    /// Best GFLOP/s of a 1024³ sgemm split by rows over the same threads the model uses (best of 6 calls).
    public static func measureSGEMMPeak(threads: ComputeThreads, size: Int = 1024, calls: Int = 6) -> Double {
        let a = FloatBuffer(count: size * size), b = FloatBuffer(count: size * size), c = FloatBuffer(count: size * size)
        var rng = SeededRandom(seed: 9)
        for i in 0..<(size * size) { a[i] = rng.nextUniform(); b[i] = rng.nextUniform() }
        var best = Double.infinity
        for _ in 0..<calls {
            let start = DispatchTime.now().uptimeNanoseconds
            Linear.forward(out: c.pointer, inp: a.pointer, weight: b.pointer, bias: nil, n: size,
                           inChannels: size, outChannels: size, threads: threads)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return 2 * Double(size * size * size) / best / 1e9
    }

    /// Peak resident set size of this process (getrusage; Linux reports KiB).
    public static func peakRSSBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }

    /// Bytes of the licence texts every Debian machine ships; random bytes where they are missing.
    public static func benchmarkText() -> [Int32] {
        let dir = URL(fileURLWithPath: "/usr/share/common-licenses")
        var bytes = [UInt8]()
        if let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) {
            for name in names.sorted() {
                if let d = try? Data(contentsOf: dir.appendingPathComponent(name)) { bytes.append(contentsOf: d) }
            }
        }
        if bytes.count < 100_000 {
            var rng = SeededRandom(seed: 5)
            bytes = (0..<100_000).map { _ in UInt8(rng.nextInt(below: 256)) }
        }
        return bytes.map { Int32($0) }
    }
}
