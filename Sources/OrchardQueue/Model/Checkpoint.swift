import Foundation
import OrchardJobs

/// One file of a checkpoint directory, with its SHA-256 (listed by the API for verification).
///
/// A private file is state the method keeps for itself (a certified model's un-noised statistics): the API lists
/// its name only, never its size or hash, and does not serve it; receipts do not hash it.
public struct CheckpointFile: Sendable, Hashable, Codable {
    public var name: String
    public var bytes: Int64
    public var sha256: String
    public var isPrivate: Bool

    enum CodingKeys: String, CodingKey { case name, bytes, sha256, isPrivate = "private" }

    public init(name: String, bytes: Int64, sha256: String, isPrivate: Bool = false) {
        self.name = name; self.bytes = bytes; self.sha256 = sha256; self.isPrivate = isPrivate
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        bytes = try c.decode(Int64.self, forKey: .bytes)
        sha256 = try c.decode(String.self, forKey: .sha256)
        isPrivate = try c.decodeIfPresent(Bool.self, forKey: .isPrivate) ?? false  // rows written before wave 2
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name); try c.encode(bytes, forKey: .bytes); try c.encode(sha256, forKey: .sha256)
        if isPrivate { try c.encode(true, forKey: .isPrivate) }
    }
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
    /// The files the API serves and receipts hash (all but the private ones).
    public var publicFiles: [CheckpointFile] { files.filter { !$0.isPrivate } }
    /// Directory relative to the checkpoint root.
    public var path: String
    public var createdAt: Int64
    /// The deletion request that purged this checkpoint (its files are gone: it carried the request's documents and
    /// a new version of its model superseded it); nil: live.
    public var purgedBy: String? = nil
    public var purgedAt: Int64? = nil

    public init(id: String, jobID: String, tenant: String, step: Int, attempt: Int, metrics: [String: Double], files: [CheckpointFile],
                path: String, createdAt: Int64) {
        self.id = id; self.jobID = jobID; self.tenant = tenant; self.step = step; self.attempt = attempt; self.metrics = metrics
        self.files = files; self.path = path; self.createdAt = createdAt
    }
}

