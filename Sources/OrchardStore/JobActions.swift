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
            let refuse = StoreError.invalidTransition(id: jobID, from: job.status.rawValue, action: action.rawValue)
            func event(_ type: String) throws {
                try Self.appendEvent(db, jobID: jobID, type: type, attempt: job.attempt, at: now)
            }
            switch (action, job.status) {
            case (.cancel, .cancelled), (.pause, .paused), (.resume, .queued):
                break
            case (.cancel, .queued), (.cancel, .paused):
                try db.execute(sql: """
                    UPDATE jobs SET status = 'cancelled', finished_at = ?, cancel_requested_at = COALESCE(cancel_requested_at, ?),
                                    pause_requested_at = NULL WHERE id = ?
                    """, arguments: [now, now, jobID])
                try Self.appendEvent(db, jobID: jobID, type: QueueEventType.cancelled, data: ["status": "cancelled"],
                                     attempt: job.attempt, at: now)
            case (.cancel, .running):
                if job.cancelRequestedAt == nil {
                    try db.execute(sql: "UPDATE jobs SET cancel_requested_at = ? WHERE id = ?", arguments: [now, jobID])
                    try event(QueueEventType.cancelRequested)
                }
            case (.pause, .queued):
                try db.execute(sql: "UPDATE jobs SET status = 'paused' WHERE id = ?", arguments: [jobID])
                try event(QueueEventType.paused)
            case (.pause, .running):
                if job.cancelRequestedAt != nil { throw refuse }
                if job.pauseRequestedAt == nil {
                    try db.execute(sql: "UPDATE jobs SET pause_requested_at = ? WHERE id = ?", arguments: [now, jobID])
                    try event(QueueEventType.pauseRequested)
                }
            case (.resume, .paused):
                try db.execute(sql: """
                    UPDATE jobs SET status = 'queued', scheduled_at = ?, pause_requested_at = NULL WHERE id = ?
                    """, arguments: [now, jobID])
                try event(QueueEventType.resumed)
            case (.resume, .running):
                // Resume before the worker honoured a pause request withdraws the request.
                if job.pauseRequestedAt != nil {
                    try db.execute(sql: "UPDATE jobs SET pause_requested_at = NULL WHERE id = ?", arguments: [jobID])
                    try event(QueueEventType.resumed)
                }
            case (_, .succeeded), (_, .failed), (.pause, .cancelled), (.resume, .cancelled):
                throw refuse
            }
            guard let updated = try Self.fetchJob(db, id: jobID, tenant: tenant) else { throw StoreError.notFound(kind: "job", id: jobID) }
            return updated
        }
    }
}
