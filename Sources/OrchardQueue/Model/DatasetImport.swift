import Foundation
import OrchardCorpus
import OrchardJobs

public enum DatasetKind: String, Sendable, Codable {
    case documents
    case preferencePairs = "preference_pairs"
}

/// Parses and validates a JSONL upload as it streams in, line by line, and spools the records to a temporary file
/// (`DatasetSpool`): memory holds one line, whatever the upload's size. Nothing reaches the database until `finish`
/// succeeds and the store reads the spool back, so a bad line leaves no half-imported dataset.
/// Errors are `StoreError.invalid(param: "line N", ...)`. A repeated id is found when the store inserts the records
/// (its primary key), and reported the same way, so no set of ids grows with the upload either. Copies share the
/// spool file but each reads back only the records it had counted (a copy taken before `finish` sees the records
/// fed until then, as a value would).
public struct DatasetImport: Sendable {
    public private(set) var kind: DatasetKind?
    public private(set) var recordCount = 0
    public private(set) var byteCount: Int64 = 0
    private var pending: [UInt8] = []
    private var line = 0
    private var hasher = SHA256Stream()
    private let spool: DatasetSpool
    public let maxLineBytes: Int

    /// `spoolDirectory`: where the records wait until the store reads them (the server uses its data directory).
    public init(expectedKind: DatasetKind? = nil, maxLineBytes: Int = 8 << 20,
                spoolDirectory: URL = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-uploads")) {
        self.kind = expectedKind
        self.maxLineBytes = maxLineBytes
        self.spool = DatasetSpool(directory: spoolDirectory)
    }

    /// The documents in upload order, with their line numbers (a documents upload; after `finish`).
    public func forEachDocument(_ body: (Document, _ line: Int) throws -> Void) throws {
        guard kind == .documents else { return }
        try spool.forEachRecord(limit: recordCount) { line, f in try body(Document(id: f[0], domain: f[1], text: f[2]), line) }
    }

    /// The preference pairs in upload order, with their line numbers (a pairs upload; after `finish`).
    public func forEachPair(_ body: (PreferencePair, _ line: Int) throws -> Void) throws {
        guard kind == .preferencePairs else { return }
        try spool.forEachRecord(limit: recordCount) { line, f in try body(PreferencePair(id: f[0], prompt: f[1], chosen: f[2], rejected: f[3]), line) }
    }

    /// Feeds the next chunk of the upload.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws {
        byteCount += Int64(chunk.count)
        hasher.update(Data(chunk))
        var start = chunk.startIndex
        while let nl = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            pending.append(contentsOf: chunk[start..<nl])
            try takeLine()
            start = chunk.index(after: nl)
        }
        pending.append(contentsOf: chunk[start...])
        if pending.count > maxLineBytes {
            throw StoreError.invalid(param: "line \(line + 1)", message: "line \(line + 1): longer than \(maxLineBytes) bytes")
        }
    }

    /// Ends the upload; returns the SHA-256 of every byte received.
    public mutating func finish() throws -> String {
        if !pending.isEmpty { try takeLine() }
        guard recordCount > 0 else { throw StoreError.invalid(param: "body", message: "the upload holds no records") }
        try spool.flush()
        return hasher.finalizeHex()
    }

    private mutating func takeLine() throws {
        line += 1
        defer { pending.removeAll(keepingCapacity: true) }
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        if pending.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }  // blank lines are allowed
        func bad(_ message: String, _ field: String? = nil) -> StoreError {
            .invalid(param: "line \(line)", message: "line \(line): " + (field.map { "\($0): " } ?? "") + message)
        }
        guard let text = String(validating: pending, as: UTF8.self) else { throw bad("not valid UTF-8") }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
              case .object(let o) = value else { throw bad("not a JSON object") }
        if let path = pending.withUnsafeBytes({ JSONDuplicateKeys.firstDuplicate(in: $0) }) { throw bad("duplicate key", path) }
        let lineKind: DatasetKind
        if o["text"] != nil || o["domain"] != nil { lineKind = .documents }
        else if o["prompt"] != nil || o["chosen"] != nil || o["rejected"] != nil { lineKind = .preferencePairs }
        else { throw bad("expected a document {id, domain, text} or a preference pair {id, prompt, chosen, rejected}") }
        if let kind, kind != lineKind {
            throw bad("a \(lineKind == .documents ? "document" : "preference pair") in a dataset of \(kind.rawValue)")
        }
        kind = lineKind
        func string(_ key: String, required: Bool = true, maxLength: Int? = nil) throws -> String? {
            guard let v = o[key] else {
                if required { throw bad("missing", key) }
                return nil
            }
            guard let s = v.stringValue else { throw bad("must be a string", key) }
            if s.isEmpty { throw bad("must not be empty", key) }
            if let maxLength, s.utf8.count > maxLength { throw bad("longer than \(maxLength) bytes", key) }
            return s
        }
        let allowed: Set<String> = lineKind == .documents ? ["id", "domain", "text"] : ["id", "prompt", "chosen", "rejected"]
        if let unknown = o.keys.sorted().first(where: { !allowed.contains($0) }) { throw bad("unknown field", unknown) }
        switch lineKind {
        case .documents:
            let id = try string("id", maxLength: 256)!, domain = try string("domain", maxLength: 128)!, text = try string("text")!
            try spool.append(line: line, fields: [id, domain, text])
            recordCount += 1
        case .preferencePairs:
            let prompt = try string("prompt")!, chosen = try string("chosen")!, rejected = try string("rejected")!
            // Without an id, the pair's id is a hash of its content: stable across re-uploads.
            let id = try string("id", required: false, maxLength: 256)
                ?? "pair_" + String(Fingerprint.sha256(Data((prompt + "\u{0}" + chosen + "\u{0}" + rejected).utf8)).prefix(16))
            try spool.append(line: line, fields: [id, prompt, chosen, rejected])
            recordCount += 1
        }
    }
}
