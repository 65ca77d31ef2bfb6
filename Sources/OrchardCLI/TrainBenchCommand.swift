import ArgumentParser
import Foundation
import OrchardBenchmarks

/// `orchard bench train [tiny|small|all] [--steps N] [--threads N] [--json]`: training throughput of the
/// engine (tokens/s, step time, GFLOP/s, MFU against a measured sgemm peak, peak RSS). Same code as the
/// engine-only `orchard-train-bench` executable; results in docs/performance.md.
struct TrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "GPT training throughput (tiny, small).")

    @Argument(help: "tiny, small or all.") var config: String = "all"
    @Option(help: "Timed steps (the median is reported).") var steps: Int = 20
    @Option(help: "Untimed warm-up steps.") var warmup: Int = 3
    @Option(help: "Compute threads.") var threads: Int = 2
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        let names = config == "all" ? ["tiny", "small"] : [config]
        guard names.allSatisfy({ TrainBenchmark.setups[$0] != nil }) else {
            throw ValidationError("unknown config '\(config)' (tiny, small or all)")
        }
        guard steps >= 1, warmup >= 0, threads >= 1 else { throw ValidationError("--steps and --threads must be >= 1") }
        var results = [TrainBenchmark.Result]()
        for name in names {
            let r = try TrainBenchmark.run(setup: name, steps: steps, threads: threads, warmup: warmup)
            if !json { print(r.summaryLine) }
            results.append(r)
        }
        if json { print(try TrainBenchmark.jsonReport(results)) }
    }
}
