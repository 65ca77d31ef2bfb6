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
        // Written straight into one string, keys in sorted order like every other response; the JSON columns
        // (params, metadata, result, error) are spliced as stored (canonical JSON).
        var out = "{"
        out.reserveCapacity(640 + j.paramsJSON.utf8.count + j.metadataJSON.utf8.count + (j.resultJSON?.utf8.count ?? 0)
                            + (j.errorJSON?.utf8.count ?? 0))
        var first = true
        func key(_ k: String) {
            if !first { out += "," }
            first = false
            out += "\""; out += k; out += "\":"
        }
        func str(_ k: String, _ s: String?) {
            key(k)
            if let s { JSONText.writeString(s, into: &out) } else { out += "null" }
        }
        func num(_ k: String, _ v: Int?) { key(k); out += v.map(String.init) ?? "null" }
        func raw(_ k: String, _ json: String?) { key(k); out += json ?? "null" }
        func secs(_ k: String, _ ms: Int64?) { key(k); out += ms.map { String($0 / 1000) } ?? "null" }
        num("attempt", j.attempt); str("backend", j.backend); str("backend_reason", j.backendReason)
        str("backend_ref", j.backendRef); str("backend_state", j.backendState); num("backend_submissions", j.backendSubmissions)
        secs("cancel_requested_at", j.cancelRequestedAt); secs("created_at", j.createdAt)
        raw("error", j.errorJSON); num("failures", j.failures); secs("finished_at", j.finishedAt); str("id", j.id)
        num("interruptions", j.interruptions); str("latest_checkpoint_id", j.latestCheckpointID)
        num("max_attempts", j.maxAttempts); raw("metadata", j.metadataJSON); raw("object", "\"job\""); raw("params", j.paramsJSON)
        secs("pause_requested_at", j.pauseRequestedAt); num("priority", j.priority)
        key("progress")
        out += "{\"step\":"; out += j.progress.step.map(String.init) ?? "null"
        out += ",\"tokens\":"; out += j.progress.tokens.map(String.init) ?? "null"
        out += ",\"total_steps\":"; out += j.progress.totalSteps.map(String.init) ?? "null"; out += "}"
        raw("result", j.resultJSON); secs("scheduled_at", j.scheduledAt); key("seed"); out += String(j.seed)
        secs("started_at", j.startedAt); str("status", j.status.rawValue); num("threads", j.threads); str("type", j.type)
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
