import Foundation

/// The names of execution back ends, as stored in `jobs.backend` and shown on the job object.
public enum ExecutionBackendName {
    /// Claimed by the worker pools that poll the store (`orchard serve`, `orchard worker`).
    public static let local = "local"
    /// Submitted to a Slurm cluster by `SlurmDispatcher`; run by `orchard worker --job ID` on a compute node.
    public static let slurm = "slurm"
}
