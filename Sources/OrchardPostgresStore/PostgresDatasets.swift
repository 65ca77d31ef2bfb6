import Foundation
import OrchardCorpus
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// Stores a fully validated import in one transaction, reading its spooled records back in upload order. A
    /// repeated id (the table's primary key) rolls everything back and is reported at the line that repeats it.
    /// With `maxTenantBytes`, a per-tenant advisory lock makes sum-then-insert atomic across processes.
    public func createDataset(tenant: String, name: String, from upload: DatasetImport, sha256: String, maxTenantBytes: Int64?) throws -> Dataset {
        guard let kind = upload.kind else { throw StoreError.invalid(param: "body", message: "the upload holds no records") }
        let id = Identifiers.make("ds")
        try write { db in
            let now = now()
            if let max = maxTenantBytes {
                try db.execute(sql: "SELECT pg_advisory_xact_lock(hashtext('orchard.datasets.' || ?))", arguments: [tenant])
                let stored = try Self.datasetBytes(db, tenant: tenant)
                if stored + upload.byteCount > max {
                    throw StoreError.limitExceeded(.maxDatasetBytes, message:
                        "tenant \(tenant) stores \(stored) dataset bytes; this upload of \(upload.byteCount) would exceed the key's limit of \(max)")
                }
            }
            try db.execute(sql: """
                INSERT INTO datasets (id, tenant, name, kind, record_count, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, tenant, name, kind.rawValue, upload.recordCount, upload.byteCount, sha256, now])
            /// Runs one insert; a row the primary key already holds is the upload's duplicate id, named by its line.
            func insert(_ sql: String, _ arguments: PostgresArguments, recordID: String, line: Int) throws {
                try db.execute(sql: sql + " ON CONFLICT DO NOTHING", arguments: arguments)
                if db.changesCount == 0 {
                    throw StoreError.invalid(param: "line \(line)", message: "line \(line): id: duplicate id \(recordID)")
                }
            }
            try upload.forEachDocument { d, line in
                try insert("INSERT INTO documents (dataset_id, id, domain, text, line, bytes) VALUES (?, ?, ?, ?, ?, ?)",
                           [id, d.id, d.domain, d.text, line, d.text.utf8.count], recordID: d.id, line: line)
            }
            try upload.forEachPair { p, line in
                try insert("INSERT INTO preference_pairs (dataset_id, id, prompt, chosen, rejected, line) VALUES (?, ?, ?, ?, ?, ?)",
                           [id, p.id, p.prompt, p.chosen, p.rejected, line], recordID: p.id, line: line)
            }
        }
        guard let ds = try dataset(id: id, tenant: tenant) else { throw StoreError.notFound(kind: "dataset", id: id) }
        return ds
    }

    public func datasetBytes(tenant: String) throws -> Int64 {
        try read { db in try Self.datasetBytes(db, tenant: tenant) }
    }

    static func datasetBytes(_ db: PostgresSession, tenant: String) throws -> Int64 {
        try db.value(Int64.self, sql: "SELECT COALESCE(SUM(bytes), 0)::bigint FROM datasets WHERE tenant = ?", arguments: [tenant]) ?? 0
    }

    static func loadDataset(_ db: PostgresSession, row: PostgresStoreRow) throws -> Dataset {
        let id: String = row["id"]
        let kind = DatasetKind(rawValue: row["kind"]) ?? .documents
        var domains: [String: Int] = [:]
        let live: Int
        switch kind {
        case .documents:
            for r in try db.rows(sql: """
                SELECT domain, COUNT(*) AS n FROM documents WHERE dataset_id = ? AND tombstoned_at IS NULL GROUP BY domain
                """, arguments: [id]) { domains[r["domain"]] = r["n"] }
            live = domains.values.reduce(0, +)
        case .preferencePairs:
            live = try db.value(Int.self, sql: "SELECT COUNT(*) FROM preference_pairs WHERE dataset_id = ? AND tombstoned_at IS NULL",
                                arguments: [id]) ?? 0
        }
        return Dataset(id: id, tenant: row["tenant"], name: row["name"], kind: kind, recordCount: row["record_count"],
                       liveCount: live, domains: domains, bytes: row["bytes"], sha256: row["sha256"], createdAt: row["created_at"])
    }

    public func dataset(id: String, tenant: String) throws -> Dataset? {
        try read { db in
            guard let row = try db.row(sql: "SELECT * FROM datasets WHERE id = ? AND tenant = ?", arguments: [id, tenant]) else { return nil }
            return try Self.loadDataset(db, row: row)
        }
    }

    public func listDatasets(tenant: String, after: String?, limit: Int) throws -> (datasets: [Dataset], hasMore: Bool) {
        try read { db in
            let page = try PostgresNewestFirstPage(table: "datasets", tenant: tenant, after: after, limit: limit).fetch(db)
            return (try page.rows.map { try Self.loadDataset(db, row: $0) }, page.hasMore)
        }
    }

    /// Live documents of a dataset of this tenant, in id order (byte order of the ids, as SQLite's BINARY collation).
    public func liveDocuments(dataset: String, tenant: String) throws -> [Document] {
        try read { db in
            try Self.requireDataset(db, id: dataset, tenant: tenant, kind: .documents)
            return try db.rows(sql: """
                SELECT id, domain, text FROM documents WHERE dataset_id = ? AND tombstoned_at IS NULL ORDER BY id COLLATE "C"
                """, arguments: [dataset]).map { Document(id: $0["id"], domain: $0["domain"], text: $0["text"]) }
        }
    }

    public func documentCatalog(dataset: String, tenant: String) throws -> [DocumentRecord] {
        try read { db in
            try Self.requireDataset(db, id: dataset, tenant: tenant, kind: .documents)
            return try db.rows(sql: """
                SELECT id, domain, bytes, tombstoned_at IS NOT NULL AS gone FROM documents WHERE dataset_id = ? ORDER BY id COLLATE "C"
                """, arguments: [dataset]).map {
                DocumentRecord(id: $0["id"], domain: $0["domain"], bytes: $0["bytes"], tombstoned: $0["gone"])
            }
        }
    }

    public func livePreferencePairs(dataset: String, tenant: String) throws -> [PreferencePair] {
        try read { db in
            try Self.requireDataset(db, id: dataset, tenant: tenant, kind: .preferencePairs)
            return try db.rows(sql: """
                SELECT id, prompt, chosen, rejected FROM preference_pairs WHERE dataset_id = ? AND tombstoned_at IS NULL ORDER BY id COLLATE "C"
                """, arguments: [dataset]).map {
                PreferencePair(id: $0["id"], prompt: $0["prompt"], chosen: $0["chosen"], rejected: $0["rejected"])
            }
        }
    }

    static func requireDataset(_ db: PostgresSession, id: String, tenant: String, kind: DatasetKind) throws {
        guard let k = try db.value(String.self, sql: "SELECT kind FROM datasets WHERE id = ? AND tenant = ?", arguments: [id, tenant]) else {
            throw JobError.invalid(param: "dataset", message: "no dataset \(id)")
        }
        guard k == kind.rawValue else {
            throw JobError.invalid(param: "dataset", message: "dataset \(id) holds \(k), not \(kind.rawValue)")
        }
    }

    /// Tombstones records of a dataset (documents or preference pairs); returns the ids that were live.
    @discardableResult
    public func tombstone(dataset: String, tenant: String, ids: [String]) throws -> [String] {
        try write { db in
            guard let kind = try db.value(String.self, sql: "SELECT kind FROM datasets WHERE id = ? AND tenant = ?",
                                          arguments: [dataset, tenant]) else {
                throw StoreError.notFound(kind: "dataset", id: dataset)
            }
            let table = kind == DatasetKind.documents.rawValue ? "documents" : "preference_pairs"
            let now = now()
            var done: [String] = []
            for id in ids {
                try db.execute(sql: "UPDATE \(table) SET tombstoned_at = ? WHERE dataset_id = ? AND id = ? AND tombstoned_at IS NULL",
                               arguments: [now, dataset, id])
                if db.changesCount > 0 { done.append(id) }
            }
            return done
        }
    }
}
