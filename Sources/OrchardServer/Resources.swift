import Foundation
import Hummingbird
import OrchardJobs
import OrchardQueue

/// The API's JSON shapes (documented in docs/openapi.yaml). Times are Unix seconds.
enum Resources {
    static func seconds(_ ms: Int64?) -> JSONValue { ms.map { .number(Double($0 / 1000)) } ?? .null }
    static func int(_ v: Int?) -> JSONValue { v.map { .number(Double($0)) } ?? .null }

    /// The job object as JSON text. The stored JSON columns (canonical JSON written by the store)
    /// are spliced in unparsed: this is the hot path of `GET /v1/jobs/{id}`.
    static func jobText(_ j: Job) -> String {
        func str(_ s: String?) -> String {
            guard let s else { return "null" }
            var o = ""; JSONText.writeString(s, into: &o); return o
        }
        func num(_ v: Int?) -> String { v.map(String.init) ?? "null" }
        func secs(_ ms: Int64?) -> String { ms.map { String($0 / 1000) } ?? "null" }
        // Keys in sorted order, like every other response.
        let fields: [(String, String)] = [
            ("attempt", String(j.attempt)), ("cancel_requested_at", secs(j.cancelRequestedAt)), ("created_at", secs(j.createdAt)),
            ("error", j.errorJSON ?? "null"), ("failures", String(j.failures)), ("finished_at", secs(j.finishedAt)), ("id", str(j.id)),
            ("interruptions", String(j.interruptions)),
            ("latest_checkpoint_id", str(j.latestCheckpointID)), ("max_attempts", String(j.maxAttempts)),
            ("metadata", j.metadataJSON), ("object", "\"job\""), ("params", j.paramsJSON),
            ("pause_requested_at", secs(j.pauseRequestedAt)), ("priority", String(j.priority)),
            ("progress", "{\"step\":\(num(j.progress.step)),\"tokens\":\(num(j.progress.tokens)),\"total_steps\":\(num(j.progress.totalSteps))}"),
            ("result", j.resultJSON ?? "null"), ("scheduled_at", secs(j.scheduledAt)), ("seed", String(j.seed)),
            ("started_at", secs(j.startedAt)), ("status", str(j.status.rawValue)), ("type", str(j.type)),
        ]
        var out = "{"
        out.reserveCapacity(512 + j.paramsJSON.utf8.count + (j.resultJSON?.utf8.count ?? 0))
        for (i, (k, v)) in fields.enumerated() {
            if i > 0 { out += "," }
            out += "\""; out += k; out += "\":"; out += v
        }
        out += "}"
        return out
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
            "files": .array(c.files.map { f in
                f.isPrivate ? ["name": .string(f.name), "private": true]
                    : ["name": .string(f.name), "bytes": .number(Double(f.bytes)), "sha256": .string(f.sha256)]
            }),
            "created_at": seconds(c.createdAt),
            "purged": c.purgedBy.map { ["deletion_request": .string($0), "purged_at": seconds(c.purgedAt)] } ?? .null,
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

    static func listText(_ items: [String], hasMore: Bool) -> String {
        "{\"data\":[" + items.joined(separator: ",") + "],\"has_more\":\(hasMore),\"object\":\"list\"}"
    }

    static func textResponse(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/json"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/json"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: JSONText.encode(value))))
    }
}
