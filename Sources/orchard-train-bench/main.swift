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
