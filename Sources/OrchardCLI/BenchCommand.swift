import ArgumentParser

/// `orchard bench ...`: measurements reported in docs/performance.md. Add new benchmarks as subcommands.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks (see docs/performance.md).",
                                                    subcommands: [QueueBench.self, TrainBench.self, MomentumBench.self])
}
