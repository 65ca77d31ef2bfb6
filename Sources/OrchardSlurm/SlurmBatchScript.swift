import Foundation

/// The batch script of one submission: its `sbatch` options and one `exec` of `orchard worker --job ID --backend-ref
/// $SLURM_JOB_ID` against the shared store. `exec`, so that the worker is the batch step's process and gets Slurm's
/// signals itself: `scancel` (and a time limit) sends SIGTERM, on which the worker checkpoints and stops the job
/// (cancelled if a cancel was recorded, else back to `queued`), then SIGKILL after the cluster's KillWait — keep
/// the worker's `--drain-seconds` below it.
public struct SlurmBatchScript: Sendable {
    public var jobName: String
    public var jobID: String
    public var cpusPerTask: Int
    public var configuration: SlurmConfiguration

    public init(jobID: String, submission: Int, cpusPerTask: Int, configuration: SlurmConfiguration) {
        self.jobID = jobID; self.cpusPerTask = cpusPerTask; self.configuration = configuration
        self.jobName = configuration.jobName(jobID: jobID, submission: submission)
    }

    /// `sbatch` options (given as arguments, not `#SBATCH` lines, so paths and names need no quoting).
    public var sbatchArguments: [String] {
        let c = configuration
        // --no-requeue: after a node failure or preemption Slurm would otherwise run the same job id again, unseen by
        // the dispatcher; Orchard resubmits itself (a new id, resuming from the checkpoint).
        var args = ["--parsable", "--job-name=\(jobName)", "--output=\((c.outputDirectory ?? c.scriptDirectory).path)/%j.out",
                    "--ntasks=1", "--cpus-per-task=\(cpusPerTask)", "--mem=\(c.memory)", "--no-requeue"]
        if let p = c.partition { args.append("--partition=\(p)") }
        if let t = c.timeLimit { args.append("--time=\(t)") }
        return args + c.extraSbatchArguments
    }

    /// The script: one `exec` line, every argument single-quoted.
    public var text: String {
        let c = configuration
        let worker = [c.workerExecutable, "worker", "--job", jobID, "--threads-per-job", String(cpusPerTask)]
            + c.storeArguments + c.workerArguments
        return "#!/bin/sh\n# \(jobName): written by orchard serve --slurm\n"
            + "exec " + worker.map(Self.quote).joined(separator: " ") + " --backend-ref \"$SLURM_JOB_ID\"\n"
    }

    /// Writes `text` to `url` (replacing it) as a new file with mode 0700 from its creation: never readable by others,
    /// even for a moment.
    public static func writePrivately(_ text: String, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try? FileManager.default.removeItem(at: temporary)
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o700]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        if rename(temporary.path, url.path) != 0 { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
    }

    /// Single-quotes `s` for sh (a `'` becomes `'\''`).
    public static func quote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
