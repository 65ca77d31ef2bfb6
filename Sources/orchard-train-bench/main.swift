// orchard-train-bench [tiny|small|all] [--steps N] [--threads N] [--warmup N] [--json] [--compare-gemm | --dpo | --distill]
// Trains the benchmark configs with AdamW and prints tokens/s, step time, GFLOP/s, MFU and peak RSS.
// --compare-gemm instead trains each config twice in turn, once per GEMM kernel (OpenBLAS, packed), and prints
// both median step times and the median per-pair speedup (TrainBenchmark.compareGEMMKernels).
// --dpo instead times a DPO step against a plain step over the same tokens, in turn (DPOBenchmark).
// --distill instead times a distillation step (teacher with twice the layers) against a plain step, in turn (DistillBenchmark).
import Foundation
import OrchardBenchmarks
import OrchardModels
import OrchardTensor

BLASRuntime.ensureFastKernel()

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("orchard-train-bench: \(message)\n".utf8))
    exit(2)
}

var configs = ["tiny", "small"]
var steps = 20, threads = 2, warmup = 3, json = false, compareGEMM = false, dpo = false, distill = false
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
    case "--compare-gemm": compareGEMM = true
    case "--dpo": dpo = true
    case "--distill": distill = true
    case "all": configs = ["tiny", "small"]
    case "-h", "--help":
        print("usage: orchard-train-bench [tiny|small|all] [--steps N] [--threads N] [--warmup N] [--json] [--compare-gemm | --dpo | --distill]"); exit(0)
    default:
        guard TrainBenchmark.setups[a] != nil else { fail("unknown argument '\(a)'") }
        configs = [a]
    }
}

/// Runs one comparison benchmark on every selected config, prints each result, and exits.
@MainActor func runEach<R: Encodable>(_ run: (String) throws -> R, summary: (R) -> String) -> Never {
    do {
        for name in configs {
            let r = try run(name)
            print(json ? try TrainBenchmark.json(r) : summary(r))
        }
    } catch {
        fail("\(error)")
    }
    exit(0)
}

if dpo { runEach({ try DPOBenchmark.run(setup: $0, steps: steps, threads: threads, warmup: warmup) }, summary: \.summaryLine) }
if distill { runEach({ try DistillBenchmark.run(setup: $0, steps: steps, threads: threads, warmup: warmup) }, summary: \.summaryLine) }
if compareGEMM { runEach({ try TrainBenchmark.compareGEMMKernels(setup: $0, steps: steps, threads: threads, warmup: warmup) }, summary: \.summaryLine) }

var results = [TrainBenchmark.Result]()
do {
    for name in configs {
        let r = try TrainBenchmark.run(setup: name, steps: steps, threads: threads, warmup: warmup)
        if !json { print(r.summaryLine) }
        results.append(r)
    }
    if json { print(try TrainBenchmark.jsonReport(results)) }
} catch {
    fail("\(error)")
}
