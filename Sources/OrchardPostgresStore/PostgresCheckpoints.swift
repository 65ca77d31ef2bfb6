import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// Indexes a checkpoint already in its final directory (fenced), points the job at it, and applies retention
    /// (`CheckpointRetention`). Returns the storage paths of pruned checkpoints (the caller deletes their files).
    public func indexCheckpoint(lease: Lease, id: String, step: Int, metrics: [String: Double], files: [CheckpointFile],
                                path: String, pinned: Bool) throws -> (Checkpoint, pruned: [String]) {
        let metricsJSON = JSONValue.object(metrics.mapValues { $0.isFinite ? .number($0) : .null })
        let filesJSON = String(decoding: try JSONEncoder().encode(files), as: UTF8.self)
        return try write { db in
            let now = now()
            try Self.checkLease(db, lease)
            let tenant = try db.value(String.self, sql: "SELECT tenant FROM jobs WHERE id = ?", arguments: [lease.jobID]) ?? ""
            try db.execute(sql: """
                INSERT INTO checkpoints (id, job_id, tenant, step, attempt, metrics, files, path, created_at, pinned)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, lease.jobID, tenant, step, lease.attempt, metricsJSON.jsonText, filesJSON, path, now, pinned ? 1 : 0])
            try db.execute(sql: "UPDATE jobs SET latest_checkpoint_id = ? WHERE id = ?", arguments: [id, lease.jobID])
            try Self.appendEvent(db, jobID: lease.jobID, type: QueueEventType.checkpoint,
                                 data: ["checkpoint_id": .string(id), "step": .number(Double(step)), "metrics": metricsJSON],
                                 attempt: lease.attempt, at: now)
            let all = try db.rows(sql: "SELECT * FROM checkpoints WHERE job_id = ? ORDER BY step DESC, seq DESC",
                                  arguments: [lease.jobID]).map(Checkpoint.init(postgresRow:))
            let pinnedIDs = Set(try db.values(String.self, sql: "SELECT id FROM checkpoints WHERE job_id = ? AND pinned = 1",
                                              arguments: [lease.jobID]))
            let pruned = configuration.settings.checkpointRetention.pruned(all, pinned: pinnedIDs)
            for c in pruned { try db.execute(sql: "DELETE FROM checkpoints WHERE id = ?", arguments: [c.id]) }
            let saved = all.first { $0.id == id }!
            return (saved, pruned.map(\.path))
        }
    }

    /// The job's checkpoints, newest step first.
    public func checkpoints(jobID: String, tenant: String) throws -> [Checkpoint] {
        try read { db in
            guard try db.value(Int.self, sql: "SELECT 1 FROM jobs WHERE id = ? AND tenant = ?", arguments: [jobID, tenant]) != nil else {
                throw StoreError.notFound(kind: "job", id: jobID)
            }
            return try db.rows(sql: "SELECT * FROM checkpoints WHERE job_id = ? ORDER BY step DESC, seq DESC",
                               arguments: [jobID]).map(Checkpoint.init(postgresRow:))
        }
    }

    public func latestCheckpoint(jobID: String) throws -> Checkpoint? {
        try singleStatement { db in
            try db.row(sql: "SELECT * FROM checkpoints WHERE job_id = ? ORDER BY step DESC, seq DESC LIMIT 1",
                       arguments: [jobID]).map(Checkpoint.init(postgresRow:))
        }
    }

    /// A checkpoint of this tenant (nil tenant: any).
    public func checkpoint(id: String, tenant: String?) throws -> Checkpoint? {
        try read { db in
            guard let c = try db.row(sql: "SELECT * FROM checkpoints WHERE id = ?", arguments: [id]).map(Checkpoint.init(postgresRow:)) else {
                return nil
            }
            if let tenant, c.tenant != tenant { return nil }
            return c
        }
    }
}
