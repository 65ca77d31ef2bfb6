import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    public func perform(_ action: JobAction, jobID: String, tenant: String) throws -> Job {
        try pool.write { db in
            let now = now()
            guard let job = try Self.fetchJob(db, id: jobID, tenant: tenant) else {
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
                    UPDATE jobs SET status = 'cancelled', finished_at = ?, cancel_requested_at = COALESCE(cancel_requested_at, ?),
                                    pause_requested_at = NULL WHERE id = ?
                    """, arguments: [now, now, jobID])
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
                try db.execute(sql: """
                    UPDATE jobs SET status = 'queued', scheduled_at = ?, pause_requested_at = NULL WHERE id = ?
                    """, arguments: [now, jobID])
                try event(QueueEventType.resumed)
            case .withdrawPause:
                // Resume before the worker honoured a pause request withdraws the request.
                try db.execute(sql: "UPDATE jobs SET pause_requested_at = NULL WHERE id = ?", arguments: [jobID])
                try event(QueueEventType.resumed)
            }
            guard let updated = try Self.fetchJob(db, id: jobID, tenant: tenant) else { throw StoreError.notFound(kind: "job", id: jobID) }
            return updated
        }
    }
}
