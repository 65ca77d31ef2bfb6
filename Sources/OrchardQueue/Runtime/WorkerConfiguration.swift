import Foundation

/// The worker runtime's settings (`orchard serve` / `orchard worker` flags).
public struct WorkerConfiguration: Sendable {
    /// Jobs run at once (each on its own thread).
    public var count: Int = 1
    /// Compute threads per job (`JobContext.threads`); default: cores / workers.
    public var threadsPerJob: Int? = nil
    public var leaseDuration: Duration = .seconds(60)
    public var heartbeatInterval: Duration = .seconds(10)
    /// How often a running job's stop requests are read between heartbeats.
    public var controlInterval: Duration = .milliseconds(500)
    /// How often an idle worker looks for work.
    public var pollInterval: Duration = .milliseconds(100)
    /// How often the reaper looks for expired leases.
    public var reapInterval: Duration = .seconds(5)
    /// Nice value of job threads (0 = same priority as the API): the API stays responsive while
    /// jobs saturate every core.
    public var jobNice: Int32 = 10
    /// Run only this job, once, then stop (`orchard worker --job ID`, the worker an execution back end starts for
    /// the job): claimed with `claim(jobID:backendRef:…)` for the back end's submission `backendRef`.
    public var onlyJob: OnlyJob?
    public init() {}

    public struct OnlyJob: Sendable {
        public var jobID: String
        public var backendRef: String?
        public init(jobID: String, backendRef: String?) { self.jobID = jobID; self.backendRef = backendRef }
    }

    public var resolvedThreadsPerJob: Int {
        threadsPerJob ?? max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, count))
    }
}

extension Duration {
    public var millis: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
