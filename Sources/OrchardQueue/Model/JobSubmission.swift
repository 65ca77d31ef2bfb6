import Foundation
import OrchardJobs
import OrchardTensor

/// A validated job request, ready to queue (the runner has already resolved `params`).
public struct JobSubmission: Sendable {
    public var tenant: String
    public var type: String
    public var params: JSONValue
    public var seed: UInt64
    public var priority: Int
    public var maxAttempts: Int
    public var metadata: [String: String]
    /// `Idempotency-Key` header and the SHA-256 of the request body it was sent with.
    public var idempotencyKey: String?
    public var fingerprint: String?
    /// The submitting key's limit on the tenant's unfinished jobs, checked in the inserting transaction.
    public var maxQueuedJobs: Int?
    /// Where the job runs (`ExecutionBackendName`); the server's default when the request names none.
    public var backend: String = ExecutionBackendName.local
    /// The job's compute-thread budget (nil: the worker's default; on Slurm, the dispatcher's default --cpus-per-task).
    public var threads: Int?

    public init(tenant: String, type: String, params: JSONValue, seed: UInt64, priority: Int = 5,
                maxAttempts: Int = 3, metadata: [String: String] = [:], idempotencyKey: String? = nil,
                fingerprint: String? = nil) {
        self.tenant = tenant; self.type = type; self.params = params; self.seed = seed
        self.priority = priority; self.maxAttempts = maxAttempts; self.metadata = metadata
        self.idempotencyKey = idempotencyKey; self.fingerprint = fingerprint
    }
}

public enum Fingerprint {
    /// Hex SHA-256 of bytes.
    public static func sha256(_ data: some DataProtocol) -> String {
        SHA256Hasher.hexDigest([UInt8](data))
    }
}

