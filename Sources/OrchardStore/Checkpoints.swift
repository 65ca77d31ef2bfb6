import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension Checkpoint {
    init(row: Row) {
        var m: [String: Double] = [:]
        if case .object(let o)? = JSONValue(columnText: row["metrics"]) { for (k, v) in o { if let d = v.doubleValue { m[k] = d } } }
        self.init(id: row["id"], jobID: row["job_id"], tenant: row["tenant"], step: row["step"], attempt: row["attempt"], metrics: m,
                  files: (try? JSONDecoder().decode([CheckpointFile].self, from: Data((row["files"] as String).utf8))) ?? [],
                  path: row["path"], createdAt: row["created_at"])
        purgedBy = row["purged_by"]; purgedAt = row["purged_at"]
    }
}

extension OrchardStore {
    /// Indexes a checkpoint that is already in its final directory (fenced), points the job at it,
    /// and applies retention: keeps the newest `keepLastCheckpoints`, the best by `bestCheckpointMetric` (lowest)
    /// and every pinned one (a model's replay anchors). Returns the storage paths of pruned checkpoints (the caller deletes their files).
    public func indexCheckpoint(lease: Lease, id: String, step: Int, metrics: [String: Double], files: [CheckpointFile],
                                path: String, pinned: Bool) throws -> (Checkpoint, pruned: [String]) {
        try pool.write { db in
            let now = now()
            try Self.checkLease(db, lease)
            let tenant = try String.fetchOne(db, sql: "SELECT tenant FROM jobs WHERE id = ?", arguments: [lease.jobID]) ?? ""
            let metricsJSON = JSONValue.object(metrics.mapValues { $0.isFinite ? .number($0) : .null })
            let filesJSON = String(decoding: try JSONEncoder().encode(files), as: UTF8.self)
            try db.execute(sql: """
                INSERT INTO checkpoints (id, job_id, tenant, step, attempt, metrics, files, path, created_at, pinned)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, lease.jobID, tenant, step, lease.attempt, metricsJSON.columnText, filesJSON, path, now, pinned ? 1 : 0])
            try db.execute(sql: "UPDATE jobs SET latest_checkpoint_id = ? WHERE id = ?", arguments: [id, lease.jobID])
            try Self.appendEvent(db, jobID: lease.jobID, type: QueueEventType.checkpoint,
                                 data: ["checkpoint_id": .string(id), "step": .number(Double(step)), "metrics": metricsJSON],
                                 attempt: lease.attempt, at: now)
            let all = try Row.fetchAll(db, sql: "SELECT * FROM checkpoints WHERE job_id = ? ORDER BY step DESC, seq DESC",
                                       arguments: [lease.jobID]).map(Checkpoint.init(row:))
            let pinned = Set(try String.fetchAll(db, sql: "SELECT id FROM checkpoints WHERE job_id = ? AND pinned = 1", arguments: [lease.jobID]))
            let pruned = configuration.settings.checkpointRetention.pruned(all, pinned: pinned)
            for c in pruned { try db.execute(sql: "DELETE FROM checkpoints WHERE id = ?", arguments: [c.id]) }
            let saved = all.first { $0.id == id }!
            return (saved, pruned.map(\.path))
        }
    }

    /// The job's checkpoints, newest step first.
    public func checkpoints(jobID: String, tenant: String) throws -> [Checkpoint] {
        try pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM jobs WHERE id = ? AND tenant = ?", arguments: [jobID, tenant]) == true else {
                throw StoreError.notFound(kind: "job", id: jobID)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM checkpoints WHERE job_id = ? ORDER BY step DESC, seq DESC",
                                    arguments: [jobID]).map(Checkpoint.init(row:))
        }
    }

    public func latestCheckpoint(jobID: String) throws -> Checkpoint? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM checkpoints WHERE job_id = ? ORDER BY step DESC, seq DESC LIMIT 1",
                             arguments: [jobID]).map(Checkpoint.init(row:))
        }
    }

    /// A checkpoint of this tenant (nil tenant: any).
    public func checkpoint(id: String, tenant: String?) throws -> Checkpoint? {
        try pool.read { db in
            guard let c = try Row.fetchOne(db, sql: "SELECT * FROM checkpoints WHERE id = ?", arguments: [id]).map(Checkpoint.init(row:)) else {
                return nil
            }
            if let tenant, c.tenant != tenant { return nil }
            return c
        }
    }
}
