import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    public func backendJobs(backend: String) throws -> [Job] {
        try pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Job.columns) FROM jobs
                WHERE backend = ? AND backend <> 'local' AND (finished_at IS NULL OR backend_live = 1) ORDER BY seq
                """), arguments: [backend]).map(Job.init(row:))
        }
    }

    public func reserveSubmission(jobID: String, maxSubmissions: Int) throws -> SubmissionReservation {
        try writeTransaction { db in
            let now = now()
            let job = try Row.fetchOne(db, sql: "SELECT \(Job.columns) FROM jobs WHERE id = ?", arguments: [jobID]).map(Job.init(row:))
            switch BackendSubmissionRules.reservation(job, now: now, maxUnstarted: maxSubmissions) {
            case .none:
                return .notReady
            case .fail(let failure):
                try db.execute(sql: BackendSubmissionSQL.fail, arguments: [now, failure.json.columnText, jobID])
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
        try writeTransaction { db in
            let now = now()
            guard let row = try Row.fetchOne(db, sql: """
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
        try writeTransaction { db in
            let now = now()
            let job = try Row.fetchOne(db, sql: "SELECT \(Job.columns) FROM jobs WHERE id = ?", arguments: [jobID]).map(Job.init(row:))
            guard let job, let change = BackendSubmissionRules.stateChange(job, ref: ref, state: state, reason: reason, live: live)
            else { return }
            try db.execute(sql: """
                UPDATE jobs SET backend_state = ?, backend_reason = ?, backend_live = ?, backend_updated_at = ?,
                                scheduled_at = CASE WHEN status = 'queued' THEN MAX(scheduled_at, ?) ELSE scheduled_at END,
                                backend_unstarted = MAX(0, backend_unstarted - ?)
                WHERE id = ?
                """, arguments: [state, reason, live ? 1 : 0, now, now + (retryAfterMillis ?? 0), change.refund ? 1 : 0, jobID])
            if let e = change.ended {
                try Self.appendEvent(db, jobID: jobID, type: e.type, level: e.level, message: e.message, data: e.data,
                                     attempt: job.attempt, at: now)
            }
        }
    }

    public func claim(jobID: String, backendRef: String?, owner: String, leaseMillis: Int64) throws -> ClaimedJob? {
        try writeTransaction { db in
            let now = now()
            var claimed: Job?
            try db.step("""
                UPDATE jobs SET status = 'running', attempt = attempt + 1, lease_owner = ?1, lease_expires_at = ?2,
                                heartbeat_at = ?3, started_at = COALESCE(started_at, ?3), backend_unstarted = 0
                WHERE id = ?4 AND finished_at IS NULL AND status = 'queued'
                  AND (?5 IS NULL OR (backend_ref = ?5 AND backend_live = 1))
                RETURNING \(Job.columns)
                """, [.text(owner), .int(now + leaseMillis), .int(now), .text(jobID), .init(backendRef)]) { claimed = Job(columns: $0) }
            guard let job = claimed else { return nil }
            try Self.appendEvent(db, jobID: job.id, type: QueueEventType.started, dataText: "{\"attempt\":\(job.attempt)}",
                                 attempt: job.attempt, at: now)
            return ClaimedJob(job: job, lease: Lease(jobID: job.id, attempt: job.attempt, owner: owner))
        }
    }
}
