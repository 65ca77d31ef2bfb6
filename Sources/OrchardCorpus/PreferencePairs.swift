import Foundation
import OrchardTensor

/// One preference pair as uploaded with `POST /v1/datasets` (kind `preference_pairs`):
/// `{"id", "prompt", "chosen", "rejected"}` and nothing else. The upload (`DatasetImport`) rejects
/// unknown keys, empty strings, ids longer than 256 bytes and duplicate ids; `PreferencePairLines`
/// applies the same rules before anything is written.
public struct PreferencePairRecord: Sendable, Hashable, Codable {
    public var id: String
    public var prompt: String
    public var chosen: String
    public var rejected: String

    public init(id: String, prompt: String, chosen: String, rejected: String) {
        self.id = id
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
    }
}

/// Pair JSONL: one fixed key order (`id`, `prompt`, `chosen`, `rejected`) and minimal escaping, so
/// the bytes (and their SHA-256) are the same on every run; written atomically (temporary file +
/// rename, `AtomicFile`), so an interrupted run never leaves a half-written file under the final name.
public enum PreferencePairLines {
    /// The dataset upload's limits (`DatasetImport`): ids of at most 256 bytes, lines of at most 8 MiB.
    public static let maxIDBytes = 256
    public static let maxLineBytes = 8 << 20
    public static let keys: Set<String> = ["id", "prompt", "chosen", "rejected"]

    public static func line(_ pair: PreferencePairRecord) -> String {
        "{\"id\":\(JSONLines.quoted(pair.id)),\"prompt\":\(JSONLines.quoted(pair.prompt)),"
            + "\"chosen\":\(JSONLines.quoted(pair.chosen)),\"rejected\":\(JSONLines.quoted(pair.rejected))}\n"
    }

    /// Why `pair` would be refused by the upload or is not a preference (chosen == rejected); nil if fine.
    public static func problem(_ pair: PreferencePairRecord) -> String? {
        if pair.id.isEmpty || pair.prompt.isEmpty || pair.chosen.isEmpty || pair.rejected.isEmpty { return "empty field in \(pair.id)" }
        if pair.id.utf8.count > maxIDBytes { return "id longer than \(maxIDBytes) bytes: \(pair.id)" }
        if pair.chosen == pair.rejected { return "chosen == rejected in \(pair.id)" }
        return nil
    }

    /// Writes `pairs` in the given order; returns bytes and SHA-256. Refuses (and writes nothing) when a
    /// pair breaks an upload rule or an id repeats.
    @discardableResult
    public static func write(_ pairs: [PreferencePairRecord], to url: URL) throws -> (bytes: Int, sha256: String) {
        var ids = Set<String>()
        var data = Data()
        for pair in pairs {
            if let problem = problem(pair) { throw CorpusError.invalidOption("preference pair refused: \(problem)") }
            guard ids.insert(pair.id).inserted else { throw CorpusError.invalidOption("duplicate preference pair id \(pair.id)") }
            let line = Data(line(pair).utf8)
            guard line.count <= maxLineBytes else { throw CorpusError.invalidOption("pair \(pair.id) is longer than \(maxLineBytes) bytes") }
            data.append(line)
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(data, to: url)
        var hasher = SHA256Hasher()
        hasher.update(data)
        return (data.count, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// Reads a pair JSONL file with the upload's rules: every non-blank line a JSON object with exactly
    /// the keys id, prompt, chosen, rejected, all non-empty strings; ids unique.
    public static func read(_ url: URL) throws -> [PreferencePairRecord] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw CorpusError.missingSource(url.path) }
        var pairs: [PreferencePairRecord] = []
        var ids = Set<String>()
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            func bad(_ detail: String) -> CorpusError {
                .malformed(format: "preference pair JSONL", detail: "\(url.lastPathComponent) line \(number + 1): \(detail)")
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { throw bad("not a JSON object") }
            if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) { throw bad("unknown field \(unknown)") }
            for key in keys.sorted() {
                guard let value = object[key] as? String, !value.isEmpty else { throw bad("\(key) missing, empty or not a string") }
            }
            let pair = try JSONDecoder().decode(PreferencePairRecord.self, from: Data(line))
            guard pair.id.utf8.count <= maxIDBytes else { throw bad("id longer than \(maxIDBytes) bytes") }
            guard ids.insert(pair.id).inserted else { throw bad("duplicate id \(pair.id)") }
            pairs.append(pair)
        }
        return pairs
    }
}

/// Seeded, platform-independent choices for the pair builders: FNV-1a 64 of "pairs:SEED:KEY".
enum PairHash {
    static func hash(_ key: String, seed: UInt64) -> UInt64 {
        var x: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in "pairs:\(seed):\(key)".utf8 { x = (x ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        // FNV's low bits mix poorly on short keys; finish with a splitmix64 step before taking remainders.
        x = (x ^ (x >> 30)) &* 0xbf58_476d_1ce4_e5b9
        x = (x ^ (x >> 27)) &* 0x94d0_49bb_1331_11eb
        return x ^ (x >> 31)
    }

    /// An index in 0..<count chosen by `key`.
    static func pick(_ count: Int, _ key: String, seed: UInt64) -> Int {
        precondition(count > 0)
        return Int(hash(key, seed: seed) % UInt64(count))
    }
}
