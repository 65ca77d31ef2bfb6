import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// cancel | pause | resume (`JobTransition` decides): the job row is locked first (`FOR UPDATE`), so the transition
    /// is decided on the state that the write changes, whatever a worker or another API server does meanwhile.
    public func perform(_ action: JobAction, jobID: String, tenant: String) throws -> Job {
        try write { db in
            let now = now()
            guard let job = try Self.fetchJob(db, id: jobID, tenant: tenant, lock: true) else {
                throw StoreError.notFound(kind: "job", id: jobID)
            }
            func event(_ type: String) throws {
                try Self.appendEvent(db, jobID: jobID, type: type, attempt: job.attempt, at: now)
            }
            switch try JobTransition.plan(action, for: job) {
            case .none:
                break
            case .cancelNow:
                try db.execute(sql: """
                    UPDATE jobs SET status = 'cancelled', finished_at = ?1, cancel_requested_at = COALESCE(cancel_requested_at, ?1),
                                    pause_requested_at = NULL WHERE id = ?2
                    """, arguments: [now, jobID])
                try Self.appendEvent(db, jobID: jobID, type: QueueEventType.cancelled, data: ["status": "cancelled"],
                                     attempt: job.attempt, at: now)
            case .requestCancel:
                try db.execute(sql: "UPDATE jobs SET cancel_requested_at = ? WHERE id = ?", arguments: [now, jobID])
                try event(QueueEventType.cancelRequested)
            case .pauseNow:
                try db.execute(sql: "UPDATE jobs SET status = 'paused' WHERE id = ?", arguments: [jobID])
                try event(QueueEventType.paused)
            case .requestPause:
                try db.execute(sql: "UPDATE jobs SET pause_requested_at = ? WHERE id = ?", arguments: [now, jobID])
                try event(QueueEventType.pauseRequested)
            case .resumeNow:
                try db.execute(sql: "UPDATE jobs SET status = 'queued', scheduled_at = ?, pause_requested_at = NULL WHERE id = ?",
                               arguments: [now, jobID])
                try event(QueueEventType.resumed)
            case .withdrawPause:
                try db.execute(sql: "UPDATE jobs SET pause_requested_at = NULL WHERE id = ?", arguments: [jobID])
                try event(QueueEventType.resumed)
            }
            guard let updated = try Self.fetchJob(db, id: jobID, tenant: tenant) else { throw StoreError.notFound(kind: "job", id: jobID) }
            return updated
        }
    }
}
