import ArgumentParser
import Foundation
import OrchardJobs
import OrchardTensor
import OrchardWorkerCLI

/// The `orchard` command line. Subcommands are listed here: add new ones (e.g. `bench`, `corpus`)
/// to `subcommands`.
public struct OrchardCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "orchard",
        abstract: "Train and edit small language models on CPUs, as a service.",
        subcommands: [
            ServeCommand.self, WorkerCommand.self, MigrateCommand.self, KeysCommand.self,
            SubmitCommand.self, JobsCommand.self, WatchCommand.self, BenchCommand.self,
            CorpusCommand.self, DatasetsCommand.self, BackupCommand.self,
        ])
    public init() {}

    /// Entry point of an executable: `register` adds the job kinds it serves.
    public static func main(register: @escaping @Sendable (JobKindRegistry) -> Void) async {
        // Before anything touches BLAS: re-exec with a fast OpenBLAS kernel where 0.3.21 would pick a
        // generic one (specs/perf.md). Quiet here so `serve`'s first log line stays the listening line;
        // `serve` logs the kernel right after it.
        BLASRuntime.ensureFastKernel(log: false)
        KindCatalog.install(register)
        await main()
    }
}
