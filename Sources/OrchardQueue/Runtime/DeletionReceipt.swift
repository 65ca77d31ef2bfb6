import Foundation
import OrchardJobs
import OrchardTensor

/// A deletion request's receipt: a canonical JSON manifest (the request, the documents as hashes, what was
/// done to each affected model with its new checkpoint's file hashes and the stated guarantee) and the
/// SHA-256 of its canonical form (sorted keys, no whitespace), which a client can recompute.
enum DeletionReceipt {
    static func make(for r: DeletionRequest, failed: Bool, store: any QueueStore, registry: JobKindRegistry) throws -> JSONValue {
        var actions: [JSONValue] = []
        for a in r.actions {
            var o: [String: JSONValue] = ["model": .string(a.rootJob), "type": .string(a.jobType), "action": .string(a.action),
                                          "status": .string(a.status)]
            if let outcome = outcome(of: a, registry: registry), outcome.producedVersion, let ckpt = outcome.checkpoint {
                let files = try store.checkpoint(id: ckpt, tenant: nil)?.publicFiles ?? []
                o["checkpoint"] = .string(ckpt)
                o["checkpoint_files"] = .array(files.map { ["name": .string($0.name), "sha256": .string($0.sha256)] })
                o["method"] = outcome.method.map(JSONValue.string) ?? .null
                o["mode"] = outcome.mode.map(JSONValue.string) ?? .null
                o["model_version"] = outcome.model_version.map { .number(Double($0)) } ?? .null
                o["guarantee"] = try outcome.guarantee.map { try JSONValue(encoding: $0) } ?? ["kind": "unknown", "statement": .null]
                if let e = outcome.evaluation { o["evaluation"] = e }
            } else if let rejected = outcome(of: a, registry: registry, includeRejected: true), let reason = rejected.rejected {
                o["method"] = rejected.method.map(JSONValue.string) ?? .null
                o["mode"] = rejected.mode.map(JSONValue.string) ?? .null
                o["rejected"] = .string(reason)
                o["guarantee"] = ["kind": "none", "statement": "the approximate result missed the forget-quality bar and was not released: the model is unchanged and still reflects the documents"]
                if let e = rejected.evaluation { o["evaluation"] = e }
            } else if a.action == "unsupported" {
                o["guarantee"] = ["kind": "none", "statement": "no unlearning method exists for this job type: the model still reflects the documents until it is retrained without them (the documents are tombstoned, so a retrain cannot read them)"]
            }
            if let input = a.inputCheckpoint { o["input_checkpoint"] = .string(input) }
            if !a.purgedCheckpoints.isEmpty { o["purged_checkpoints"] = .array(a.purgedCheckpoints.map(JSONValue.string)) }
            actions.append(.object(o))
        }
        let manifest: JSONValue = [
            "request": ["id": .string(r.id), "dataset": .string(r.dataset), "mode": .string(r.mode),
                        "reason_sha256": .string(SHA256Hasher.hexDigest(r.reason)), "created_at": .number(Double(r.createdAt)),
                        "document_count": .number(Double(r.documentCount))],
            "documents": .array(r.documentHashes),
            "actions": .array(actions),
            "status": .string(failed ? "failed" : "completed"),
        ]
        return ["manifest": manifest, "manifest_sha256": .string(SHA256Hasher.hexDigest([UInt8](manifest.canonicalData()))),
                "issued_at": .number(Double(store.clock.nowMillis())),
                "hash": "sha256 over the manifest's canonical JSON (sorted keys, no whitespace)"]
    }

    /// The typed outcome of a completed action, read through the unlearning kind that produced it.
    static func outcome(of a: DeletionAction, registry: JobKindRegistry, includeRejected: Bool = false) -> UnlearningOutcome? {
        guard a.status == "completed" || (includeRejected && a.status == "failed"), let result = a.result,
              let unlearner = registry.kind(a.jobType)?.unlearning?.jobType,
              let read = registry.kind(unlearner)?.outcome else { return nil }
        return try? read(result)
    }
}

extension JobKindRegistry {
    /// The typed outcome of a completed deletion action (nil while it runs, or when no registered kind reads it).
    public func unlearningOutcome(of action: DeletionAction, includeRejected: Bool = false) -> UnlearningOutcome? {
        DeletionReceipt.outcome(of: action, registry: self, includeRejected: includeRejected)
    }
}
