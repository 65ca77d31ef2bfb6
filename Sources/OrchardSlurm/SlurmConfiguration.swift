import Foundation

/// How `orchard serve --slurm` hands jobs of `"backend": "slurm"` to a Slurm cluster (`SlurmDispatcher`).
public struct SlurmConfiguration: Sendable {
    /// The worker executable, at the same absolute path on every compute node (default: the running `orchard`).
    public var workerExecutable: String
    /// Where the store lives, as `orchard worker` options, the same for every node: `--database postgres://…
    /// --checkpoint-dir DIR` (or `--data-dir DIR` on a single machine, where SQLite is shared by processes).
    public var storeArguments: [String]
    /// Further `orchard worker` options (lease, heartbeat, drain, log level).
    public var workerArguments: [String] = []
    /// Batch scripts and the jobs' output files (`<job>-<n>.sh`, `<slurm id>.out`); must be writable by the compute
    /// nodes when it is also where the output goes (`outputDirectory`).
    public var scriptDirectory: URL
    /// Where Slurm writes each job's stdout/stderr (`--output`, `%j` = the Slurm job id); default `scriptDirectory`.
    public var outputDirectory: URL?
    public var partition: String?
    /// `--cpus-per-task` (and the worker's `--threads-per-job`) for a job that names no `threads`.
    public var defaultCPUsPerTask: Int = 1
    /// `--mem` (with CR_*_Memory and no --mem, a job gets the whole node and jobs serialize).
    public var memory: String = "2G"
    /// `--time` (nil: the partition's default).
    public var timeLimit: String?
    /// Extra `sbatch` arguments, passed as given (`--account=…`, `--qos=…`, `--gres=…`).
    public var extraSbatchArguments: [String] = []
    /// The dispatcher's period: how soon a queued job is submitted and a state change is seen.
    public var pollInterval: Duration = .milliseconds(250)
    /// Submissions in a row whose worker never started the job before it fails `backend_submissions_exceeded`.
    public var maxUnstartedSubmissions: Int = 5
    /// A reservation with no Slurm id after this long (its dispatcher died between the reservation and `sbatch`'s
    /// answer) is reconciled by job name.
    public var staleReservation: Duration = .seconds(60)
    /// Slurm job names are `<prefix>-<orchard job id>-<submission>`.
    public var jobNamePrefix: String = "orchard"

    public init(workerExecutable: String, storeArguments: [String], scriptDirectory: URL) {
        self.workerExecutable = workerExecutable; self.storeArguments = storeArguments; self.scriptDirectory = scriptDirectory
    }

    /// The Slurm job name of a job's `submission`-th submission.
    public func jobName(jobID: String, submission: Int) -> String { "\(jobNamePrefix)-\(jobID)-\(submission)" }
}
