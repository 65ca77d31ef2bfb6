// orchard-train-bench [tiny|small|all] [--steps N] [--threads N] [--warmup N] [--json]
// Trains the benchmark configs with AdamW and prints tokens/s, step time, GFLOP/s, MFU and peak RSS.
import Foundation
import OrchardModels
import OrchardTensor

BLASRuntime.ensureFastKernel()

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("orchard-train-bench: \(message)\n".utf8))
    exit(2)
}

var configs = ["tiny", "small"]
var steps = 20, threads = 2, warmup = 3, json = false
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let a = args.removeFirst()
    func value() -> Int {
        guard !args.isEmpty, let v = Int(args.removeFirst()) else { fail("\(a) needs an integer") }
        return v
    }
    switch a {
    case "--steps": steps = value()
    case "--threads": threads = value()
    case "--warmup": warmup = value()
    case "--json": json = true
    case "all": configs = ["tiny", "small"]
    case "-h", "--help":
        print("usage: orchard-train-bench [tiny|small|all] [--steps N] [--threads N] [--warmup N] [--json]"); exit(0)
    default:
        guard TrainBenchmark.setups[a] != nil else { fail("unknown argument '\(a)'") }
        configs = [a]
    }
}

var results = [TrainBenchmark.Result]()
for name in configs {
    do {
        let r = try TrainBenchmark.run(setup: name, steps: steps, threads: threads, warmup: warmup)
        results.append(r)
        if !json {
            print(String(format: "%@: %.0f tokens/s, step %.1f ms (best %.1f), %.1f GFLOP/s, MFU %.1f%% of measured sgemm peak %.1f GFLOP/s, peak RSS %.1f MiB, loss %.3f -> %.3f, threads %d, BLAS %@",
                         r.config, r.tokens_per_second, r.step_ms, r.step_ms_best, r.gflops, 100 * r.mfu, r.peak_gflops,
                         Double(r.peak_rss_bytes) / 1_048_576, r.first_loss, r.last_loss, r.threads, r.blas_core))
        }
    } catch {
        fail("\(error)")
    }
}
if json {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys]
    // One object: the last config's figures at top level, every config under "results".
    struct Output: Encodable {
        let tokens_per_second, step_ms, gflops, mfu: Double
        let peak_rss_bytes: Int
        let results: [TrainBenchmark.Result]
    }
    let last = results[results.count - 1]
    let out = Output(tokens_per_second: last.tokens_per_second, step_ms: last.step_ms, gflops: last.gflops, mfu: last.mfu,
                     peak_rss_bytes: last.peak_rss_bytes, results: results)
    print(String(decoding: try! enc.encode(out), as: UTF8.self))
}
