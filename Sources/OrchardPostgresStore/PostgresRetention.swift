import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// Deletes what `policy` lets go of, in one SERIALIZABLE transaction (its candidates are decided on reads of
    /// several tables that another process's submission could change meanwhile).
    public func applyRetention(_ policy: RetentionPolicy, nowMillis: Int64) throws -> RetentionReport {
        try serializableWrite { db in
            var report = RetentionReport()
            if let days = policy.eventsDays {
                try db.execute(sql: """
                    DELETE FROM job_events WHERE type NOT LIKE 'job.%' AND job_id IN (
                        SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?)
                    """, arguments: [nowMillis - Int64(days) * 86_400_000])
                report.events = db.changesCount
            }
            if let days = policy.jobsDays {
                let cutoff = nowMillis - Int64(days) * 86_400_000
                // Candidates: finished before the cutoff, no lineage of their own or as a model root, no model version
                // or deletion action, and not named (by id or by a checkpoint) in the params of an unfinished job.
                let candidates = try db.values(String.self, sql: """
                    SELECT id FROM jobs j WHERE finished_at IS NOT NULL AND finished_at < ?
                      AND NOT EXISTS (SELECT 1 FROM lineage WHERE job_id = j.id OR model_root = j.id)
                      AND NOT EXISTS (SELECT 1 FROM model_versions WHERE root_job_id = j.id OR job_id = j.id)
                      AND NOT EXISTS (SELECT 1 FROM model_version_numbers WHERE root_job_id = j.id OR job_id = j.id)
                      AND NOT EXISTS (SELECT 1 FROM deletion_actions WHERE root_job_id = j.id OR job_id = j.id)
                    ORDER BY seq
                    """, arguments: [cutoff])
                let openParams = try db.values(String.self, sql: "SELECT params FROM jobs WHERE status IN ('queued','running','paused')")
                for id in candidates {
                    let checkpoints = try db.rows(sql: "SELECT id, path FROM checkpoints WHERE job_id = ?", arguments: [id])
                    let names = [id] + checkpoints.map { $0["id"] as String }
                    if openParams.contains(where: { p in names.contains { p.contains($0) } }) { continue }
                    report.checkpointPaths += checkpoints.map { $0["path"] as String }
                    for table in ["checkpoints", "job_events", "idempotency_keys"] {
                        try db.execute(sql: "DELETE FROM \(table) WHERE job_id = ?", arguments: [id])
                    }
                    try db.execute(sql: "DELETE FROM jobs WHERE id = ?", arguments: [id])
                    report.jobs += 1
                }
            }
            return report
        }
    }

    public func indexedCheckpointPaths() throws -> Set<String> {
        try read { db in Set(try db.values(String.self, sql: "SELECT path FROM checkpoints")) }
    }
}
