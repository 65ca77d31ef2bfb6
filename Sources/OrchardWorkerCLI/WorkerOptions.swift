import ArgumentParser
import Foundation
import Logging
import OrchardQueue
import OrchardStore

/// Options shared by `serve` and `worker`: where the store lives and its checkpoint retention.
public struct StoreOptions: ParsableArguments {
    public init() {}
    @OptionGroup public var location: DatabaseOptions

    @Option(help: "Checkpoints kept per job besides the best one.")
    var keepCheckpoints: Int = 3

    @Option(help: "Metric whose lowest value marks a job's best checkpoint (always kept).")
    var bestMetric: String = "loss"

    public func storeConfiguration() throws -> StoreConfiguration {
        guard keepCheckpoints >= 1 else { throw ValidationError("--keep-checkpoints must be at least 1") }
        var c = StoreConfiguration(dataDirectory: location.dataDirectory)
        c.settings.keepLastCheckpoints = keepCheckpoints
        c.settings.bestCheckpointMetric = bestMetric
        return c
    }

    /// These options as `orchard worker` arguments with absolute paths: what a worker started elsewhere (by Slurm, on
    /// another node) needs to open the same store with the same retention.
    public func workerArguments() throws -> [String] {
        let absolute = { (url: URL) in url.standardizedFileURL.path }
        var args: [String]
        if let database = location.database {
            _ = try location.postgresURL()
            args = ["--database", database, "--checkpoint-dir", absolute(location.checkpointDirectory)]
        } else {
            args = ["--data-dir", absolute(location.dataDirectory)]
        }
        return args + ["--keep-checkpoints", String(keepCheckpoints), "--best-metric", bestMetric]
    }

    /// The store of `--data-dir` (SQLite) or `--database` (PostgreSQL), opened and migrated.
    public func openStore(logger: Logger) throws -> any QueueStore {
        try location.openStore(settings: try storeConfiguration(), logger: logger)
    }
}

/// The worker runtime's options, shared by `serve`, `worker` and `orchard-worker`.
public struct WorkerOptions: ParsableArguments {
    public init() {}
    @Option(help: "Jobs run at once, each on its own thread.")
    var workers: Int = 1

    @Option(help: "Compute threads per job (default: cores / workers).")
    var threadsPerJob: Int?

    @Option(help: "Lease length in seconds; a job whose worker stops heartbeating is re-queued after it.")
    var leaseSeconds: Double = 60

    @Option(help: "Heartbeat period in seconds.")
    var heartbeatSeconds: Double = 10

    @Option(help: "Reaper period in seconds.")
    var reapSeconds: Double = 5

    @Option(help: "Seconds a SIGTERM waits for running jobs to checkpoint before releasing them.")
    var drainSeconds: Double = 25

    @Option(help: "Nice value (0-19) of job threads, so the API stays responsive while jobs use every core.")
    var jobNice: Int32 = 10

    /// The lease, heartbeat, drain and nice settings as `orchard worker` arguments (for workers started elsewhere).
    public var runtimeArguments: [String] {
        ["--lease-seconds", "\(leaseSeconds)", "--heartbeat-seconds", "\(heartbeatSeconds)", "--drain-seconds", "\(drainSeconds)",
         "--job-nice", "\(jobNice)"]
    }

    /// The worker runtime's settings and the drain timeout.
    public func apply(to w: inout WorkerConfiguration, drainTimeout: inout Duration) throws {
        guard workers >= 0, workers <= 256 else { throw ValidationError("--workers must be in 0...256") }
        guard leaseSeconds > 0, heartbeatSeconds > 0, heartbeatSeconds < leaseSeconds, reapSeconds > 0, drainSeconds > 0 else {
            throw ValidationError("durations must be positive and --heartbeat-seconds below --lease-seconds")
        }
        guard (0...19).contains(jobNice) else { throw ValidationError("--job-nice must be in 0...19") }
        w.jobNice = jobNice
        w.count = workers
        w.threadsPerJob = threadsPerJob
        w.leaseDuration = .milliseconds(Int64(leaseSeconds * 1000))
        w.heartbeatInterval = .milliseconds(Int64(heartbeatSeconds * 1000))
        w.reapInterval = .milliseconds(Int64(reapSeconds * 1000))
        drainTimeout = .milliseconds(Int64(drainSeconds * 1000))
    }
}

public enum LogSetup {
    /// Logs go to stderr, one line each; `--log-level` or LOG_LEVEL picks the level.
    public static func bootstrap(level: String?) -> Logger {
        let lvl = (level ?? ProcessInfo.processInfo.environment["LOG_LEVEL"]).flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = lvl
            return h
        }
        return Logger(label: "orchard")
    }
}
