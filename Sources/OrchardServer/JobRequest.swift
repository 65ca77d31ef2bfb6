import Foundation
import Hummingbird
import OrchardJobs
import OrchardQueue

/// Parses and validates `POST /v1/jobs` before anything is queued: unknown fields and bad values
/// are 422 with `param`; the job kind decodes and resolves `params` once (its `param` is prefixed `params.`).
struct JobRequest {
    static let fields: Set<String> = ["type", "params", "seed", "priority", "max_attempts", "metadata", "backend", "threads"]
    static let maxSeed: Double = 9_007_199_254_740_991  // 2^53 - 1: exact in JSON numbers

    /// The submission and the datasets/checkpoints its params name (to check with `checkReferences` before queueing).
    static func submission(body: JSONValue, tenant: String, registry: JobKindRegistry, backends: JobBackends = JobBackends(),
                           idempotencyKey: String?) throws -> (JobSubmission, [JobReference]) {
        guard case .object(let o) = body else { throw APIError.invalid(nil, "the request body must be a JSON object") }
        if let unknown = o.keys.sorted().first(where: { !fields.contains($0) }) {
            throw APIError.invalid(unknown, "unknown field \(unknown)", code: "unknown_parameter")
        }
        guard let type = o["type"]?.stringValue, !type.isEmpty else { throw APIError.invalid("type", "type is required and must be a string") }
        guard let kind = registry.kind(type) else {
            let known = registry.types.isEmpty ? "none are registered" : "known: " + registry.types.joined(separator: ", ")
            throw APIError.invalid("type", "unknown job type \(type) (\(known))", code: "unknown_job_type")
        }
        let params = o["params"] ?? .object([:])
        guard case .object = params else { throw APIError.invalid("params", "params must be an object") }
        let seed: UInt64
        switch o["seed"] {
        case nil, .null?: seed = UInt64.random(in: 0...UInt64(maxSeed))
        case .number(let d)? where d.rounded() == d && d >= 0 && d <= maxSeed: seed = UInt64(d)
        default: throw APIError.invalid("seed", "seed must be an integer in 0...\(Int64(maxSeed))")
        }
        let priority = try integer(o["priority"], "priority", in: 0...9, default: 5)
        let maxAttempts = try integer(o["max_attempts"], "max_attempts", in: 1...20, default: 3)
        let backend: String
        switch o["backend"] {
        case nil, .null?: backend = backends.defaultBackend
        case .string(let b)? where backends.available.contains(b): backend = b
        case .string(let b)? where b == ExecutionBackendName.slurm:
            throw APIError.invalid("backend", "this server has no Slurm back end (it runs with --slurm); available: "
                                   + backends.available.joined(separator: ", "), code: "backend_unavailable")
        default:
            throw APIError.invalid("backend", "backend must be one of: " + backends.available.joined(separator: ", "))
        }
        let threads: Int? = o["threads"] == nil || o["threads"] == .null ? nil : try integer(o["threads"], "threads", in: 1...256, default: 1)
        var metadata: [String: String] = [:]
        if let m = o["metadata"], m != .null {
            guard case .object(let mo) = m, mo.count <= 16 else { throw APIError.invalid("metadata", "metadata must be an object of at most 16 string values") }
            for (k, v) in mo {
                guard !k.isEmpty, k.count <= 64, let s = v.stringValue, s.count <= 512 else {
                    throw APIError.invalid("metadata.\(k)", "metadata keys are 1-64 characters and values strings of at most 512")
                }
                metadata[k] = s
            }
        }
        let resolved: JSONValue, references: [JobReference]
        do {
            (resolved, references) = try kind.validateWithReferences(params)
        } catch JobError.invalid(let param, let message) {
            throw APIError.invalid(param.map { "params.\($0)" } ?? "params", message, code: "invalid_params")
        } catch {
            throw APIError.invalid("params", "\(error)", code: "invalid_params")
        }
        if let key = idempotencyKey, key.isEmpty || key.utf8.count > 255 {
            throw APIError.invalid("Idempotency-Key", "Idempotency-Key must be 1-255 bytes")
        }
        var submission = JobSubmission(tenant: tenant, type: type, params: resolved, seed: seed, priority: priority, maxAttempts: maxAttempts,
                                       metadata: metadata, idempotencyKey: idempotencyKey,
                                       fingerprint: Fingerprint.sha256(body.canonicalData()))
        submission.backend = backend
        submission.threads = threads
        return (submission, references)
    }

    /// Every named dataset and checkpoint must be the tenant's (else 404, as for any other tenant's resource) and
    /// of the kind the job needs (else 422); `param` is the full path (`params.dataset`).
    static func checkReferences(_ references: [JobReference], tenant: String, store: any QueueStore) throws {
        for r in references {
            let param = "params." + r.param
            switch r {
            case .dataset(let id, _, let records):
                guard let ds = try store.dataset(id: id, tenant: tenant) else {
                    throw APIError(.notFound, code: "not_found", message: "no dataset \(id)", param: param)
                }
                guard ds.kind.rawValue == records.rawValue else {
                    throw APIError.invalid(param, "dataset \(id) holds \(ds.kind.rawValue), this job needs \(records.rawValue)",
                                           code: "invalid_params")
                }
            case .checkpoint(let id, _):
                guard let c = try store.checkpoint(id: id, tenant: tenant) else {
                    throw APIError(.notFound, code: "not_found", message: "no checkpoint \(id)", param: param)
                }
                try refusePurged(c, param: param)
            case .job(let id, _, let types, let series):
                guard let job = try store.job(id: id, tenant: tenant) else {
                    throw APIError(.notFound, code: "not_found", message: "no job \(id)", param: param)
                }
                guard types.isEmpty || types.contains(job.type) else {
                    throw APIError.invalid(param, "job \(id) is a \(job.type) job; this job needs \(types.joined(separator: " or "))", code: "invalid_params")
                }
                if series {
                    guard job.status == .succeeded else {
                        throw APIError.invalid(param, "job \(id) is \(job.status.rawValue); its checkpoint series is read whole, so it must have succeeded",
                                               code: "invalid_params")
                    }
                    if let purged = try store.checkpoints(jobID: id, tenant: tenant).first(where: { $0.purgedBy != nil }) {
                        throw APIError.invalid(param, "job \(id)'s checkpoint \(purged.id) was purged by deletion request \(purged.purgedBy!): its series no longer exists whole (it carried deleted documents)",
                                               code: "checkpoint_purged")
                    }
                }
            case .gptTokenizer(let id, _, let tokenizer):
                let checkpoint = try gptCheckpoint(id, param: param, tenant: tenant, store: store)
                let state = try? Data(contentsOf: store.directory(of: checkpoint).appendingPathComponent("state.json"))
                let theirs = state.flatMap { try? JSONDecoder().decode(TokenizerName.self, from: $0) }?.tokenizer
                guard theirs == tokenizer else {
                    throw APIError.invalid(param, "\(id) uses the \(theirs ?? "unknown") tokenizer, not \(tokenizer): the student must share its teacher's tokenizer",
                                           code: "tokenizer_mismatch")
                }
            case .tombstonedDocuments(let job, let key, let named, let ids, _):
                guard let j = try store.job(id: job, tenant: tenant) else { continue }   // the job's own reference answers 404
                guard let dataset = named ?? JSONValue(jsonText: j.paramsJSON)?[key]?.stringValue else { continue }
                let tombstoned = Set(try store.documentCatalog(dataset: dataset, tenant: tenant).filter(\.tombstoned).map(\.id))
                for (i, id) in ids.enumerated() where !tombstoned.contains(id) {
                    throw APIError.invalid("\(param)[\(i)].id", "document \(id) is not tombstoned in \(dataset): file a deletion request, which tombstones it first",
                                           code: "invalid_params")
                }
            case .gptModel(let id, _, let combined):
                let checkpoint = try gptCheckpoint(id, param: param, tenant: tenant, store: store)
                try refusePurged(checkpoint, param: param)
                guard checkpoint.files.contains(where: { $0.name == "model.safetensors" }),
                      checkpoint.files.contains(where: { $0.name == "state.json" }) else {
                    throw APIError.invalid(param, "checkpoint \(checkpoint.id) is not a GPT checkpoint (no model.safetensors)", code: "invalid_params")
                }
                if !combined, checkpoint.files.contains(where: { $0.name == "reinforced.safetensors" }) {
                    throw APIError.invalid(param, "checkpoint \(checkpoint.id) is a combined model (WHP: two parameter sets whose logits combine at inference); this job needs a single GPT", code: "invalid_params")
                }
            }
        }
    }

    private struct TokenizerName: Decodable { var tokenizer: String }

    /// The checkpoint a GPT model reference names: the checkpoint itself, or a job's newest (404 / 422 otherwise).
    static func gptCheckpoint(_ id: String, param: String, tenant: String, store: any QueueStore) throws -> Checkpoint {
        if id.hasPrefix("job_") {
            guard try store.job(id: id, tenant: tenant) != nil else {
                throw APIError(.notFound, code: "not_found", message: "no job \(id)", param: param)
            }
            guard let c = try store.latestCheckpoint(jobID: id) else {
                throw APIError.invalid(param, "job \(id) has no checkpoint yet", code: "invalid_params")
            }
            return c
        }
        guard let c = try store.checkpoint(id: id, tenant: tenant) else {
            throw APIError(.notFound, code: "not_found", message: "no checkpoint \(id)", param: param)
        }
        return c
    }

    /// A checkpoint a deletion request purged is refused (422 `checkpoint_purged`), naming the request.
    static func refusePurged(_ c: Checkpoint, param: String) throws {
        guard let request = c.purgedBy else { return }
        throw APIError.invalid(param, "checkpoint \(c.id) of job \(c.jobID) was purged by deletion request \(request): it carried deleted documents; use the model's current version (the request's new_model_versions)", code: "checkpoint_purged")
    }

    static func integer(_ v: JSONValue?, _ name: String, in range: ClosedRange<Int>, default d: Int) throws -> Int {
        guard let v, v != .null else { return d }
        guard let i = v.intValue, range.contains(i) else {
            throw APIError.invalid(name, "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    /// Parses a JSON body; malformed JSON is 400 `invalid_json`, and so is a key repeated within one object
    /// (`param` = its path), which a decoder would otherwise resolve silently to one of the two values.
    static func parseJSON(_ buffer: ByteBuffer) throws -> JSONValue {
        let data = Data(buffer.readableBytesView)
        guard let v = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            throw APIError(.badRequest, code: "invalid_json", message: "the request body is not valid JSON")
        }
        if let path = JSONDuplicateKeys.firstDuplicate(in: data) {
            throw APIError(.badRequest, code: "invalid_json", message: "duplicate key \(path) in the request body", param: path)
        }
        return v
    }
}
