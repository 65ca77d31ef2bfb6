import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// Files a deletion request (SERIALIZABLE: it reads documents, lineage and the tenant's policy and must not
    /// interleave with another process's request on the same documents): validates and resolves the documents,
    /// snapshots their text privately, tombstones them at once, and lists every affected model from lineage.
    /// Idempotent with `idempotencyKey`.
    public func createDeletionRequest(tenant: String, dataset: String, documentIDs: [String], reason: String, mode requested: String?,
                                      options requestedOptions: JSONValue?, idempotencyKey: String?, fingerprint: String?,
                                      unlearnable: Set<String>) throws -> (DeletionRequest, replayed: Bool) {
        try serializableWrite { db in
            let now = now()
            if let key = idempotencyKey,
               let row = try db.row(sql: "SELECT fingerprint, request_id FROM deletion_idempotency_keys WHERE tenant = ? AND key = ?",
                                    arguments: [tenant, key]) {
                guard (row["fingerprint"] as String) == (fingerprint ?? "") else { throw StoreError.idempotencyMismatch(key: key) }
                guard let r = try Self.fetchDeletionRequest(db, id: row["request_id"], tenant: tenant) else {
                    throw StoreError.notFound(kind: "deletion_request", id: row["request_id"])
                }
                return (r, true)
            }
            guard let kind = try db.value(String.self, sql: "SELECT kind FROM datasets WHERE id = ? AND tenant = ?", arguments: [dataset, tenant]) else {
                throw StoreError.notFound(kind: "dataset", id: dataset)
            }
            let records = DeletableRecordsSQL.of(DatasetKind(rawValue: kind) ?? .documents)
            var texts: [String] = [], hashes: [String] = []
            for (i, id) in documentIDs.enumerated() {
                guard let row = try db.row(sql: records.select, arguments: [dataset, id]) else {
                    throw StoreError.invalid(param: "document_ids[\(i)]", message: "document \(id) is not in dataset \(dataset)")
                }
                guard (row["tombstoned_at"] as Int64?) == nil else {
                    throw StoreError.invalid(param: "document_ids[\(i)]", message: "document \(id) was already deleted by an earlier request")
                }
                texts.append(row["text"])
                hashes.append(Fingerprint.sha256(Data((row["content"] as String).utf8)))
            }
            let mode: String, options: JSONValue?, source: String
            if let requested {
                (mode, options, source) = (requested, requestedOptions, "request")
            } else {
                let policy = try Self.fetchDeletionPolicy(db, tenant: tenant)
                (mode, options, source) = (policy.mode, policy.options, policy.updatedAt == nil ? "default" : "tenant_policy")
            }
            let id = Identifiers.make("dr")
            try db.execute(sql: """
                INSERT INTO deletion_requests (id, tenant, dataset_id, mode, reason, status, document_count, created_at, options, mode_source)
                VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
                """, arguments: [id, tenant, dataset, mode, reason, documentIDs.count, now, options?.jsonText, source])
            for (i, docID) in documentIDs.enumerated() {
                try db.execute(sql: """
                    INSERT INTO deletion_request_documents (request_id, position, document_id, content_sha256, text) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [id, i, docID, hashes[i], texts[i]])
                try db.execute(sql: records.tombstone, arguments: [now, dataset, docID])
            }
            try Self.appendDeletionEvent(db, id: id, type: "created", message: "\(documentIDs.count) documents, \(mode) mode (\(source))",
                                         data: ["documents": .number(Double(documentIDs.count)), "mode": .string(mode),
                                                "mode_source": .string(source)], at: now)
            try Self.appendDeletionEvent(db, id: id, type: "tombstoned",
                                         message: "documents tombstoned: no later job can read them", data: .null, at: now)
            // Affected models: every job whose lineage contains one of the documents.
            var affected: [String: String] = [:]
            for row in try db.rows(sql: """
                SELECT j.id AS job_id, j.type FROM lineage l JOIN jobs j ON j.id = COALESCE(l.model_root, l.job_id)
                WHERE l.dataset_id = ? AND l.document_id = ANY(?) AND j.tenant = ?
                """, arguments: [dataset, documentIDs, tenant]) {
                affected[row["job_id"]] = row["type"]
            }
            for (job, type) in affected.sorted(by: { $0.key < $1.key }) {
                let supported = unlearnable.contains(type)
                try db.execute(sql: """
                    INSERT INTO deletion_actions (request_id, root_job_id, job_type, action, status, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [id, job, type, supported ? "unlearn" : "unsupported", supported ? "waiting" : "skipped", now])
                try Self.appendDeletionEvent(db, id: id, type: supported ? "affected_model" : "affected_model_unsupported",
                    message: supported ? "\(type) job \(job) trained on the documents: unlearning queued"
                                       : "\(type) job \(job) trained on the documents: no unlearning method exists for \(type) yet; retrain it without the tombstoned documents",
                    data: ["job": .string(job), "type": .string(type)], at: now)
            }
            if let key = idempotencyKey {
                try db.execute(sql: """
                    INSERT INTO deletion_idempotency_keys (tenant, key, fingerprint, request_id, created_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [tenant, key, fingerprint ?? "", id, now])
            }
            guard let r = try Self.fetchDeletionRequest(db, id: id, tenant: tenant) else { throw StoreError.notFound(kind: "deletion_request", id: id) }
            return (r, false)
        }
    }

    public func deletionRequest(id: String, tenant: String) throws -> DeletionRequest? {
        try read { db in try Self.fetchDeletionRequest(db, id: id, tenant: tenant) }
    }

    /// Newest first; `after` is the id of the last request of the previous page.
    public func listDeletionRequests(tenant: String, after: String?, limit: Int) throws -> (requests: [DeletionRequest], hasMore: Bool) {
        try read { db in
            let page = try PostgresNewestFirstPage(table: "deletion_requests", columns: "id", tenant: tenant, after: after, limit: limit).fetch(db)
            let requests = try page.rows.compactMap { try Self.fetchDeletionRequest(db, id: $0["id"], tenant: tenant) }
            return (requests, page.hasMore)
        }
    }

    public func deletionEvents(id: String, tenant: String, after: Int, limit: Int) throws -> (events: [DeletionEvent], hasMore: Bool) {
        try read { db in
            guard try db.value(Int.self, sql: "SELECT 1 FROM deletion_requests WHERE id = ? AND tenant = ?", arguments: [id, tenant]) != nil else {
                throw StoreError.notFound(kind: "deletion_request", id: id)
            }
            let rows = try db.rows(sql: """
                SELECT seq, type, message, data, created_at FROM deletion_request_events WHERE request_id = ? AND seq > ? ORDER BY seq LIMIT ?
                """, arguments: [id, after, limit + 1])
            let events = rows.prefix(limit).map {
                DeletionEvent(seq: $0["seq"], type: $0["type"], message: $0["message"],
                              data: JSONValue(jsonText: $0["data"]) ?? .null, createdAt: $0["created_at"])
            }
            return (Array(events), rows.count > limit)
        }
    }

    static func fetchDeletionRequest(_ db: PostgresSession, id: String, tenant: String) throws -> DeletionRequest? {
        guard let row = try db.row(sql: "SELECT * FROM deletion_requests WHERE id = ? AND tenant = ?", arguments: [id, tenant]) else {
            return nil
        }
        let docs = try db.rows(sql: "SELECT document_id, content_sha256 FROM deletion_request_documents WHERE request_id = ? ORDER BY position",
                               arguments: [id]).map { r -> JSONValue in
            ["id_sha256": .string(Fingerprint.sha256(Data((r["document_id"] as String).utf8))), "content_sha256": .string(r["content_sha256"])]
        }
        let actions = try db.rows(sql: "SELECT * FROM deletion_actions WHERE request_id = ? ORDER BY root_job_id COLLATE \"C\"", arguments: [id])
            .map(DeletionAction.init(postgresRow:))
        return DeletionRequest(postgresRow: row, documents: docs, actions: actions)
    }

    /// Appends to a request's trail: the request row is locked first (`FOR UPDATE`), so concurrent writers (the
    /// coordinators of several API servers) take `MAX(seq) + 1` in turn: no gap, no duplicate.
    static func appendDeletionEvent(_ db: PostgresSession, id: String, type: String, message: String, data: JSONValue, at now: Int64) throws {
        try db.execute(sql: "SELECT 1 FROM deletion_requests WHERE id = ? FOR UPDATE", arguments: [id])
        let next = try db.value(Int.self, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM deletion_request_events WHERE request_id = ?",
                                arguments: [id]) ?? 1
        try db.execute(sql: """
            INSERT INTO deletion_request_events (request_id, seq, type, message, data, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [id, next, type, message, data.jsonText, now])
    }
}
