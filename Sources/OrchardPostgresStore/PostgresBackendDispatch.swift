import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    public func backendJobs(backend: String) throws -> [Job] {
        try read { db in
            try db.rows(sql: """
                SELECT \(Job.columns) FROM jobs
                WHERE backend = ? AND backend <> 'local' AND (finished_at IS NULL OR backend_live = 1) ORDER BY seq
                """, arguments: [backend]).map(Job.init(columns:))
        }
    }

    /// The job row is locked (`FOR UPDATE`) for the transaction: two dispatchers reserving the same job serialize on
    /// it, and the second sees the first one's live submission.
    public func reserveSubmission(jobID: String, maxSubmissions: Int) throws -> SubmissionReservation {
        try write { db in
            let now = now()
            let job = try Self.fetchJob(db, id: jobID, tenant: nil, lock: true)
            switch BackendSubmissionRules.reservation(job, now: now, maxUnstarted: maxSubmissions) {
            case .none:
                return .notReady
            case .fail(let failure):
                try db.execute(sql: BackendSubmissionSQL.fail, arguments: [now, failure.json.jsonText, jobID])
                try Self.appendEvent(db, jobID: jobID, type: QueueEventType.failed, level: "error", message: failure.message,
                                     data: ["status": "failed", "error": failure.json], attempt: job?.attempt ?? 0, at: now)
                return .failed
            case .reserve(let submission):
                try db.execute(sql: BackendSubmissionSQL.reserve, arguments: [now, jobID])
                return .reserved(submission: submission)
            }
        }
    }

    @discardableResult
    public func recordSubmission(jobID: String, submission: Int, ref: String, state: String) throws -> Bool {
        try write { db in
            let now = now()
            guard let row = try db.row(sql: """
                UPDATE jobs SET backend_ref = ?, backend_state = ?, backend_updated_at = ?
                WHERE id = ? AND backend_live = 1 AND backend_submissions = ? AND backend_state = 'SUBMITTING'
                RETURNING attempt, backend
                """, arguments: [ref, state, now, jobID, submission]) else { return false }
            let attempt: Int = row["attempt"], backend: String = row["backend"]
            let e = BackendEvents.submitted(backend: backend, ref: ref, submission: submission)
            try Self.appendEvent(db, jobID: jobID, type: e.type, level: e.level, message: e.message, data: e.data, attempt: attempt, at: now)
            return true
        }
    }

    public func recordBackendState(jobID: String, ref: String?, state: String, reason: String?, live: Bool,
                                   retryAfterMillis: Int64?) throws {
        try write { db in
            let now = now()
            let job = try Self.fetchJob(db, id: jobID, tenant: nil, lock: true)
            guard let job, let change = BackendSubmissionRules.stateChange(job, ref: ref, state: state, reason: reason, live: live)
            else { return }
            try db.execute(sql: """
                UPDATE jobs SET backend_state = ?, backend_reason = ?, backend_live = ?, backend_updated_at = ?,
                                scheduled_at = CASE WHEN status = 'queued' THEN GREATEST(scheduled_at, ?) ELSE scheduled_at END,
                                backend_unstarted = GREATEST(0, backend_unstarted - ?)
                WHERE id = ?
                """, arguments: [state, reason, live ? 1 : 0, now, now + (retryAfterMillis ?? 0), change.refund ? 1 : 0, jobID])
            if let e = change.ended {
                try Self.appendEvent(db, jobID: jobID, type: e.type, level: e.level, message: e.message, data: e.data,
                                     attempt: job.attempt, at: now)
            }
        }
    }

    public func claim(jobID: String, backendRef: String?, owner: String, leaseMillis: Int64) throws -> ClaimedJob? {
        try singleStatement { db in
            let now = now()
            guard let row = try db.row(sql: """
                WITH claimed AS (
                    UPDATE jobs SET status = 'running', attempt = attempt + 1, lease_owner = ?1, lease_expires_at = ?2,
                                    heartbeat_at = ?3, started_at = COALESCE(started_at, ?3), event_seq = event_seq + 1,
                                    backend_unstarted = 0
                    WHERE id = ?4 AND status = 'queued' AND (?5::text IS NULL OR (backend_ref = ?5::text AND backend_live = 1))
                    RETURNING \(Job.columns), event_seq),
                started AS (
                    INSERT INTO job_events (job_id, seq, type, level, message, data, attempt, created_at)
                    SELECT id, event_seq, ?6, 'info', '', '{"attempt":' || attempt || '}', attempt, ?3 FROM claimed)
                SELECT * FROM claimed
                """, arguments: [owner, now + leaseMillis, now, jobID, backendRef, QueueEventType.started]) else { return nil }
            let job = Job(columns: row)
            return ClaimedJob(job: job, lease: Lease(jobID: job.id, attempt: job.attempt, owner: owner))
        }
    }
}
