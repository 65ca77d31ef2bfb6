import Foundation
import Hummingbird
import OrchardJobs
import OrchardStore

/// The API's JSON shapes (documented in docs/openapi.yaml). Times are Unix seconds.
enum Resources {
    static func seconds(_ ms: Int64?) -> JSONValue { ms.map { .number(Double($0 / 1000)) } ?? .null }
    static func int(_ v: Int?) -> JSONValue { v.map { .number(Double($0)) } ?? .null }

    static func job(_ j: Job) -> JSONValue {
        .object([
            "id": .string(j.id), "object": "job", "type": .string(j.type), "status": .string(j.status.rawValue),
            "priority": int(j.priority), "seed": .number(Double(j.seed)), "params": j.params,
            "metadata": .object(j.metadata.mapValues(JSONValue.string)),
            "attempt": int(j.attempt), "max_attempts": int(j.maxAttempts),
            "progress": ["step": int(j.progress.step), "total_steps": int(j.progress.totalSteps), "tokens": int(j.progress.tokens)],
            "result": j.result ?? .null,
            "error": j.error.map { ["code": .string($0.code), "message": .string($0.message), "param": $0.param.map(JSONValue.string) ?? .null] } ?? .null,
            "latest_checkpoint_id": j.latestCheckpointID.map(JSONValue.string) ?? .null,
            "created_at": seconds(j.createdAt), "scheduled_at": seconds(j.scheduledAt), "started_at": seconds(j.startedAt),
            "finished_at": seconds(j.finishedAt), "cancel_requested_at": seconds(j.cancelRequestedAt),
            "pause_requested_at": seconds(j.pauseRequestedAt),
        ])
    }

    static func event(_ e: JobEvent) -> JSONValue {
        .object([
            "object": "job.event", "id": .number(Double(e.seq)), "job_id": .string(e.jobID), "type": .string(e.type),
            "level": .string(e.level), "message": .string(e.message), "data": e.data, "attempt": int(e.attempt),
            "created_at": seconds(e.createdAt),
        ])
    }

    static func checkpoint(_ c: Checkpoint) -> JSONValue {
        .object([
            "id": .string(c.id), "object": "checkpoint", "job_id": .string(c.jobID), "step": int(c.step),
            "attempt": int(c.attempt),
            "metrics": .object(c.metrics.mapValues { .number($0) }),
            "files": .array(c.files.map { ["name": .string($0.name), "bytes": .number(Double($0.bytes)), "sha256": .string($0.sha256)] }),
            "created_at": seconds(c.createdAt),
        ])
    }

    static func dataset(_ d: Dataset) -> JSONValue {
        .object([
            "id": .string(d.id), "object": "dataset", "name": .string(d.name), "kind": .string(d.kind.rawValue),
            "record_count": int(d.recordCount), "live_count": int(d.liveCount),
            "domains": .object(d.domains.mapValues { .number(Double($0)) }),
            "bytes": .number(Double(d.bytes)), "sha256": .string(d.sha256), "created_at": seconds(d.createdAt),
        ])
    }

    static func list(_ items: [JSONValue], hasMore: Bool) -> JSONValue {
        ["object": "list", "data": .array(items), "has_more": .bool(hasMore)]
    }

    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/json"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: JSONText.encode(value))))
    }
}
