import ArgumentParser
import Foundation
import OrchardQueue
import OrchardServer
import OrchardSlurm
import OrchardWorkerCLI

/// `orchard serve --slurm …`: the Slurm execution back end (docs/scale-out.md). With it, a job may name
/// `"backend": "slurm"` (or get it by `--default-backend slurm`); the server's dispatcher submits it with `sbatch`,
/// and `orchard worker --job ID` runs it on a compute node against the same store.
struct SlurmOptions: ParsableArguments {
    @Flag(help: "Accept jobs with \"backend\": \"slurm\" and dispatch them to Slurm (sbatch, squeue, scancel on PATH).")
    var slurm = false

    @Option(help: "The back end of a job that names none: local | slurm.")
    var defaultBackend: String = ExecutionBackendName.local

    @Option(help: "Slurm partition (default: the cluster's default).")
    var slurmPartition: String?

    @Option(help: "--cpus-per-task (and the worker's threads) for a job that names no \"threads\" (default: --threads-per-job, else 1).")
    var slurmCpusPerTask: Int?

    @Option(help: "--mem of each Slurm job.")
    var slurmMem: String = "2G"

    @Option(help: "--time of each Slurm job (default: the partition's).")
    var slurmTime: String?

    @Option(help: "An extra sbatch argument, e.g. --slurm-arg=--account=lab (repeatable).")
    var slurmArg: [String] = []

    @Option(help: "The worker executable on the compute nodes (default: this executable; same path on every node).")
    var slurmWorkerBinary: String?

    @Option(help: "Directory for batch scripts and job output (default: DATA_DIR/slurm); compute nodes write the output, so share it on a cluster.")
    var slurmDir: String?

    @Option(help: "Directory of sbatch/squeue/scancel (default: PATH).")
    var slurmBinDir: String?

    @Option(help: "How often the dispatcher submits queued jobs and reads squeue, in milliseconds.")
    var slurmPollMs: Int = 250

    /// The back ends the API accepts and the default; throws on an inconsistent set of flags.
    func backends() throws -> JobBackends {
        let available = slurm ? [ExecutionBackendName.local, ExecutionBackendName.slurm] : [ExecutionBackendName.local]
        guard available.contains(defaultBackend) else {
            throw ValidationError(defaultBackend == ExecutionBackendName.slurm
                ? "--default-backend slurm needs --slurm" : "--default-backend must be local or slurm")
        }
        return JobBackends(available: available, defaultBackend: defaultBackend)
    }

    /// The dispatcher's configuration, or nil without `--slurm`. Checks that the Slurm client commands answer.
    func configuration(store: StoreOptions, workers: WorkerOptions, threadsPerJob: Int?) throws -> (SlurmConfiguration, SlurmCommands)? {
        guard slurm else { return nil }
        guard (10...60_000).contains(slurmPollMs) else { throw ValidationError("--slurm-poll-ms must be in 10...60000") }
        if let c = slurmCpusPerTask, !(1...1024).contains(c) { throw ValidationError("--slurm-cpus-per-task must be in 1...1024") }
        let commands = SlurmCommands(binDirectory: slurmBinDir)
        do { _ = try commands.version() } catch {
            throw ValidationError("--slurm: the Slurm client commands do not work here (\(error))")
        }
        let executable = slurmWorkerBinary ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let dir = slurmDir.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? store.location.dataDirectory.appendingPathComponent("slurm", isDirectory: true)
        var c = SlurmConfiguration(workerExecutable: executable, storeArguments: try store.workerArguments(),
                                   scriptDirectory: dir.standardizedFileURL)
        c.workerArguments = workers.runtimeArguments
        c.partition = slurmPartition
        c.defaultCPUsPerTask = slurmCpusPerTask ?? threadsPerJob ?? 1
        c.memory = slurmMem
        c.timeLimit = slurmTime
        c.extraSbatchArguments = slurmArg
        c.pollInterval = .milliseconds(slurmPollMs)
        return (c, commands)
    }
}
