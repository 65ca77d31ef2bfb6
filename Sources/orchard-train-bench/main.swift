// orchard-train-bench [tiny|small|all] [--steps N] [--threads N] [--warmup N] [--json] [--compare-gemm | --dpo]
// Trains the benchmark configs with AdamW and prints tokens/s, step time, GFLOP/s, MFU and peak RSS.
// --compare-gemm instead trains each config twice in turn, once per GEMM kernel (OpenBLAS, packed), and prints
// both median step times and the median per-pair speedup (TrainBenchmark.compareGEMMKernels).
// --dpo instead times a DPO step against a plain step over the same tokens, in turn (DPOBenchmark).
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
var steps = 20, threads = 2, warmup = 3, json = false, compareGEMM = false, dpo = false
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
    case "all": configs = ["tiny", "small"]
    case "-h", "--help":
        print("usage: orchard-train-bench [tiny|small|all] [--steps N] [--threads N] [--warmup N] [--json] [--compare-gemm | --dpo]"); exit(0)
    default:
        guard TrainBenchmark.setups[a] != nil else { fail("unknown argument '\(a)'") }
        configs = [a]
    }
}

if dpo {
    do {
        for name in configs {
            let r = try DPOBenchmark.run(setup: name, steps: steps, threads: threads, warmup: warmup)
            print(json ? try TrainBenchmark.json(r) : r.summaryLine)
        }
    } catch {
        fail("\(error)")
    }
    exit(0)
}

if compareGEMM {
    do {
        for name in configs {
            let c = try TrainBenchmark.compareGEMMKernels(setup: name, steps: steps, threads: threads, warmup: warmup)
            print(json ? try TrainBenchmark.json(c) : c.summaryLine)
        }
    } catch {
        fail("\(error)")
    }
    exit(0)
}

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
