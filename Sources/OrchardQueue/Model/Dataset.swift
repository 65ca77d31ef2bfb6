import Foundation
import OrchardJobs

/// A stored dataset with its live (not tombstoned) record counts.
public struct Dataset: Sendable, Hashable {
    public var id: String
    public var tenant: String
    public var name: String
    public var kind: DatasetKind
    public var recordCount: Int
    public var liveCount: Int
    /// Live documents per domain (empty for preference pairs).
    public var domains: [String: Int]
    public var bytes: Int64
    public var sha256: String
    public var createdAt: Int64

    public init(id: String, tenant: String, name: String, kind: DatasetKind, recordCount: Int, liveCount: Int, domains: [String: Int],
                bytes: Int64, sha256: String, createdAt: Int64) {
        self.id = id; self.tenant = tenant; self.name = name; self.kind = kind; self.recordCount = recordCount; self.liveCount = liveCount
        self.domains = domains; self.bytes = bytes; self.sha256 = sha256; self.createdAt = createdAt
    }
}

