import Foundation
import OrchardJobs

public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case queued, running, paused, succeeded, failed, cancelled
    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// Why a job failed: `{code, message, param}` as in the API's error envelope.
public struct JobFailure: Sendable, Hashable, Codable {
    public var code: String
    public var message: String
    public var param: String?
    public init(code: String, message: String, param: String? = nil) {
        self.code = code; self.message = message; self.param = param
    }
    public var json: JSONValue {
        ["code": .string(code), "message": .string(message), "param": param.map(JSONValue.string) ?? .null]
    }
    public init?(json: JSONValue?) {
        guard let json, let code = json["code"]?.stringValue else { return nil }
        self.init(code: code, message: json["message"]?.stringValue ?? "", param: json["param"]?.stringValue)
    }
}

public struct JobProgress: Sendable, Hashable, Codable {
    public var step: Int?
    public var totalSteps: Int?
    public var tokens: Int?
    public init(step: Int?, totalSteps: Int?, tokens: Int?) { self.step = step; self.totalSteps = totalSteps; self.tokens = tokens }
}

/// A job row as the API and workers see it. Times are milliseconds since 1970.
public struct Job: Sendable, Hashable {
    public var id: String
    public var tenant: String
    public var type: String
    public var status: JobStatus
    public var priority: Int
    /// The JSON columns as stored (canonical, sorted keys): the API splices them into responses
    /// without parsing; the decoded values below are computed on demand.
    public var paramsJSON: String
    public var metadataJSON: String
    public var resultJSON: String?
    public var errorJSON: String?
    public var seed: UInt64
    /// Times the job was started (claimed), less drains; with the lease owner it fences a run's writes.
    public var attempt: Int
    /// The bound on `failures`.
    public var maxAttempts: Int
    /// Attempts that ended in a failure of the job (a transient error): what `maxAttempts` bounds.
    public var failures: Int = 0
    /// Times the process holding the lease died or stopped heartbeating; bounded by the store's `maxInterruptions`.
    public var interruptions: Int = 0
    public var scheduledAt: Int64
    public var leaseOwner: String?
    public var leaseExpiresAt: Int64?
    public var heartbeatAt: Int64?
    public var cancelRequestedAt: Int64?
    public var pauseRequestedAt: Int64?
    public var progress: JobProgress
    public var latestCheckpointID: String?
    public var createdAt: Int64
    public var startedAt: Int64?
    public var finishedAt: Int64?
    /// Where the job's attempts run: `local` (the worker pools polling the store) or a named back end (`slurm`).
    public var backend: String = ExecutionBackendName.local
    /// The back end's id of the current submission (the Slurm job id), its last observed state and reason, whether
    /// it may still be alive, and how many submissions were made.
    public var backendRef: String?
    public var backendState: String?
    public var backendReason: String?
    public var backendLive: Bool = false
    public var backendSubmissions: Int = 0
    /// When `backendState` last changed (ms).
    public var backendUpdatedAt: Int64?
    /// Submissions in a row whose worker has not claimed the job (0 once the live submission's worker claimed it).
    public var backendUnstarted: Int = 0
    /// The job's compute-thread budget (nil: the worker's default).
    public var threads: Int?

    public init(id: String, tenant: String, type: String, status: JobStatus, priority: Int, paramsJSON: String, metadataJSON: String,
                resultJSON: String?, errorJSON: String?, seed: UInt64, attempt: Int, maxAttempts: Int, scheduledAt: Int64,
                leaseOwner: String?, leaseExpiresAt: Int64?, heartbeatAt: Int64?, cancelRequestedAt: Int64?, pauseRequestedAt: Int64?,
                progress: JobProgress, latestCheckpointID: String?, createdAt: Int64, startedAt: Int64?, finishedAt: Int64?) {
        self.id = id; self.tenant = tenant; self.type = type; self.status = status; self.priority = priority
        self.paramsJSON = paramsJSON; self.metadataJSON = metadataJSON; self.resultJSON = resultJSON; self.errorJSON = errorJSON
        self.seed = seed; self.attempt = attempt; self.maxAttempts = maxAttempts; self.scheduledAt = scheduledAt
        self.leaseOwner = leaseOwner; self.leaseExpiresAt = leaseExpiresAt; self.heartbeatAt = heartbeatAt
        self.cancelRequestedAt = cancelRequestedAt; self.pauseRequestedAt = pauseRequestedAt; self.progress = progress
        self.latestCheckpointID = latestCheckpointID; self.createdAt = createdAt; self.startedAt = startedAt; self.finishedAt = finishedAt
    }
}

extension Job {
    public var params: JSONValue { JSONValue(jsonText: paramsJSON) ?? .null }
    public var metadata: [String: String] {
        var meta: [String: String] = [:]
        if case .object(let o)? = JSONValue(jsonText: metadataJSON) { for (k, v) in o { if let s = v.stringValue { meta[k] = s } } }
        return meta
    }
    public var result: JSONValue? { JSONValue(jsonText: resultJSON) }
    public var error: JobFailure? { JobFailure(json: JSONValue(jsonText: errorJSON)) }
}

/// The fencing token of a claimed job: every worker write is conditional on all three.
public struct Lease: Sendable, Hashable {
    public var jobID: String
    public var attempt: Int
    public var owner: String
    public init(jobID: String, attempt: Int, owner: String) {
        self.jobID = jobID; self.attempt = attempt; self.owner = owner
    }
}

/// A job handed to a worker by `claim`: the row as claimed plus its lease.
public struct ClaimedJob: Sendable {
    public var job: Job
    public var lease: Lease
    public init(job: Job, lease: Lease) { self.job = job; self.lease = lease }
}
