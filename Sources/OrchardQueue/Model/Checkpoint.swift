import Foundation
import OrchardJobs

/// One file of a checkpoint directory, with its SHA-256 (listed by the API for verification).
public struct CheckpointFile: Sendable, Hashable, Codable {
    public var name: String
    public var bytes: Int64
    public var sha256: String
    public init(name: String, bytes: Int64, sha256: String) { self.name = name; self.bytes = bytes; self.sha256 = sha256 }
}

/// An indexed checkpoint.
public struct Checkpoint: Sendable, Hashable {
    public var id: String
    public var jobID: String
    public var tenant: String
    public var step: Int
    public var attempt: Int
    public var metrics: [String: Double]
    public var files: [CheckpointFile]
    /// Directory relative to the checkpoint root.
    public var path: String
    public var createdAt: Int64

    public init(id: String, jobID: String, tenant: String, step: Int, attempt: Int, metrics: [String: Double], files: [CheckpointFile],
                path: String, createdAt: Int64) {
        self.id = id; self.jobID = jobID; self.tenant = tenant; self.step = step; self.attempt = attempt; self.metrics = metrics
        self.files = files; self.path = path; self.createdAt = createdAt
    }
}

