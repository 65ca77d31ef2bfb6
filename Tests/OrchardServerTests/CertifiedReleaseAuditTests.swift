import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OrchardCorpus
import OrchardJobs
import OrchardMethods
import OrchardServer
import OrchardTestSupport
import Testing

/// The audit of certified mode: nothing a certified model publishes through the API may carry a value of its
/// training data that was not noised (or computed from noised values only).
///
/// The test is differential. The same certified pipeline (a `topic_model` with a supplied vocabulary and a
/// supplied sensitivity bound, a `topic_head` on it with a supplied label set, and a certified deletion request) runs
/// through the real server on two datasets: S (five dpkg Sections) and S′ (S with a third of its documents removed).
/// Everything a client can read is collected: job resources, event pages, checkpoint listings, every served file,
/// the tar archive's member names, plots, the deletion request with its receipt. Identifiers and timestamps are
/// normalised (they are queue metadata, drawn afresh per run). Every remaining leaf must be equal between S and S′,
/// except at the paths declared below as noised (or derived from noised values only). A positive control runs the
/// exact-mode pipeline the same way and must be flagged: the audit can fail.
@Suite(.serialized) struct CertifiedReleaseAuditTests {
    /// Paths (regular expressions over the flattened surface) that carry noised values or values computed from them only.
    static let noised: [String] = [
        #"_file:release\.json\.(topicWord|topicWordClipped|wordWeights|bias)\[\d+\]$"#, // Ã, B̃, b̃: the mechanism's output
        #"\.top_words\[\d+\]\[\d+\]$"#,                                                  // argsort of the clipped Ã
        #"\.files\[\d+\]\.(bytes|sha256)$"#,                                             // of release.json (checked: public files only)
        #"checkpoint_files\[\d+\]\.sha256$"#,                                            // receipt: hashes of the public files
        #"\.manifest_sha256$"#,                                                          // receipt: hash over those hashes
    ]

    static let corpus = DeletionRequestTests.corpus
    static var classes: [String] { Array(Set(corpus.map(\.domain))).sorted() }

    static func jsonl(_ docs: [OrchardCorpus.Document]) -> String {
        docs.map { d in String(decoding: JSONValue.object(["id": .string(d.id), "domain": .string(d.domain), "text": .string(d.text)]).canonicalData(), as: UTF8.self) }
            .joined(separator: "\n")
    }

    /// Identifiers (`job_…`, `ckpt_…`, …) and timestamps differ between any two runs; they are not data.
    static func normalised(_ s: String) -> String {
        s.replacing(/\b(job|ckpt|ds|del|dr|req|evt)_[0-9A-Za-z]{6,}\b/, with: "<id>")
    }

    static let timestampKeys: Set<String> = ["created_at", "started_at", "finished_at", "scheduled_at", "updated_at", "completed_at",
                                             "cancel_requested_at", "pause_requested_at", "issued_at", "time", "at", "purged_at"]

    /// path → leaf (JSON text), ids and timestamps normalised.
    static func flatten(_ v: JSONValue, _ path: String, into out: inout [String: String]) {
        switch v {
        case .object(let o):
            for (k, x) in o {
                if timestampKeys.contains(k) { out[path + "." + k] = "<time>"; continue }
                if k == "seq" { out[path + "." + k] = "<seq>"; continue }  // a deletion request's event counter
                flatten(x, path + "." + normalised(k), into: &out)
            }
        case .array(var a):
            if a.isEmpty { out[path] = "[]" }
            // Lists of objects (actions, events) are ordered by their content, not by random ids or the order the
            // queue happened to run them in; sequence numbers and hashes do not take part in the key.
            if a.allSatisfy({ $0.objectValue != nil }) {
                func key(_ v: JSONValue) -> String {
                    var leaves: [String: String] = [:]
                    flatten(v, "", into: &leaves)
                    return leaves.filter { $0.key != ".id" && !$0.key.hasSuffix("sha256") }.sorted { $0.key < $1.key }
                        .map { $0.key + "=" + $0.value }.joined(separator: ";")
                }
                a.sort { key($0) < key($1) }
            }
            for (i, x) in a.enumerated() { flatten(x, path + "[\(i)]", into: &out) }
        case .string(let s): out[path] = "\"" + normalised(s) + "\""
        default: out[path] = String(decoding: v.canonicalData(), as: UTF8.self)
        }
    }

    struct Run {
        var surface: [String: String] = [:]
        var privateFilesSeen = 0
    }

    /// The whole pipeline on one dataset; returns everything a client can read.
    func pipeline(_ client: some TestClientProtocol, _ s: TestServer, documents: [OrchardCorpus.Document],
                  certified: Bool, vocabulary: [String], forget: [String]) async throws -> Run {
        let t = DeletionRequestTests()
        let up = try await client.execute(uri: "/v1/datasets?name=audit", method: .post, headers: s.auth(),
                                          body: ByteBuffer(string: Self.jsonl(documents)))
        #expect(up.status == .created)
        let ds = try #require(json(up.body)["id"]?.stringValue)
        let certification: JSONValue = ["epsilon": 1, "delta": 1e-5, "capacity": 4, "sensitivity": ["per_deletion_bound": 0.02]]
        var modelParams: [String: JSONValue] = ["dataset": .string(ds), "topics": 5, "vocabulary": ["words": .array(vocabulary.map(JSONValue.string))]]
        var headParams: [String: JSONValue] = ["classes": .array(Self.classes.map(JSONValue.string))]
        if certified { modelParams["certification"] = certification; headParams["certification"] = certification }
        let model = try await t.submitJob(client, s, type: "topic_model", params: .object(modelParams), seed: 7)
        headParams["model"] = model["result"]?["checkpoint"] ?? .null
        let head = try await t.submitJob(client, s, type: "topic_head", params: .object(headParams), seed: 8)
        let (st, created, _) = try await t.fileRequest(client, s, ["dataset": .string(ds), "document_ids": .array(forget.map(JSONValue.string)),
                                                                   "reason": "audit", "mode": certified ? "certified" : "exact"])
        #expect(st == .created, "\(created)")
        let request = try await t.waitForRequest(client, s, try #require(created["id"]?.stringValue))

        var run = Run()
        func read(_ uri: String, as name: String) async throws -> JSONValue {
            let r = try await client.execute(uri: uri, method: .get, headers: s.auth())
            run.surface[name + ".status"] = String(r.status.code)
            let v = json(r.body)
            Self.flatten(v, name, into: &run.surface)
            return v
        }
        var jobs = [model["id"]!.stringValue!, head["id"]!.stringValue!]
        jobs += (request["actions"]?.arrayValue ?? []).compactMap { $0["job_id"]?.stringValue }.sorted { a, b in
            // Order the unlearning jobs by the model they edited (base first), not by their random ids.
            (request["actions"]?.arrayValue?.first { $0["job_id"]?.stringValue == a }?["type"]?.stringValue ?? "")
                < (request["actions"]?.arrayValue?.first { $0["job_id"]?.stringValue == b }?["type"]?.stringValue ?? "")
        }
        #expect(jobs.count == 4, "two models, two unlearning jobs: \(request)")
        _ = try await read("/v1/deletion_requests/\(try #require(created["id"]?.stringValue))", as: "request")
        _ = try await read("/v1/deletion_requests/\(try #require(created["id"]?.stringValue))/events", as: "request_events")
        for (j, id) in jobs.enumerated() {
            _ = try await read("/v1/jobs/\(id)", as: "job\(j)")
            _ = try await read("/v1/jobs/\(id)/events?limit=1000", as: "job\(j)_events")
            for plot in JobPlots.names { _ = try await read("/v1/jobs/\(id)/plots/\(plot).svg", as: "job\(j)_plot_\(plot)") }
            let listing = try await read("/v1/jobs/\(id)/checkpoints", as: "job\(j)_checkpoints")
            for (c, ckpt) in (listing["data"]?.arrayValue ?? []).enumerated() {
                let cid = try #require(ckpt["id"]?.stringValue)
                let detail = try await read("/v1/checkpoints/\(cid)", as: "job\(j)_ckpt\(c)")
                // A version the deletion superseded carried the documents: purged, it releases nothing at all.
                if detail["purged"] != .null {
                    let r = try await client.execute(uri: "/v1/checkpoints/\(cid)/content", method: .get, headers: s.auth())
                    #expect(r.status == .gone && json(r.body)["error"]?["code"] == "checkpoint_purged", "\(cid)")
                    continue
                }
                for file in detail["files"]?.arrayValue ?? [] {
                    let name = try #require(file["name"]?.stringValue)
                    let r = try await client.execute(uri: "/v1/checkpoints/\(cid)/content?file=\(name)", method: .get, headers: s.auth())
                    if file["private"] == true {
                        run.privateFilesSeen += 1
                        #expect(file["sha256"] == nil && file["bytes"] == nil, "a private file is listed by name only: \(file)")
                        #expect(r.status == .forbidden && json(r.body)["error"]?["code"] == "private_file")
                        continue
                    }
                    #expect(r.status == .ok)
                    Self.flatten(json(r.body), "job\(j)_ckpt\(c)_file:\(name)", into: &run.surface)
                }
                // The archive holds the public files only.
                let tar = try await client.execute(uri: "/v1/checkpoints/\(cid)/content", method: .get, headers: s.auth())
                let names = TarNames.members(Data(tar.body.readableBytesView))
                run.surface["job\(j)_ckpt\(c)_tar_members"] = names.joined(separator: ",")
                for file in detail["files"]?.arrayValue ?? [] where file["private"] == true {
                    #expect(!names.contains(file["name"]?.stringValue ?? ""), "private files are not archived")
                }
            }
        }
        return run
    }

    /// Paths whose values differ between the two runs and are not declared noised.
    static func undeclaredDifferences(_ a: Run, _ b: Run) -> [String] {
        let patterns = noised.map { try! Regex($0) }
        let keys = Set(a.surface.keys).union(b.surface.keys)
        return keys.filter { k in
            a.surface[k] != b.surface[k] && !patterns.contains { k.contains($0) }
        }.sorted()
    }

    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func certifiedModeReleasesOnlyNoisedValues() async throws {
        let s = try DeletionRequestTests.server()
        let full = Self.corpus
        let reduced = full.enumerated().filter { $0.offset % 3 != 1 }.map(\.element)
        let vocabulary = try TopicVocabulary.build(documents: full, tokenizer: TopicTokenizer(), minDocumentFrequency: 3, maxSize: 300).words
        let forget = [reduced[9].id, reduced[30].id]
        try await s.app().test(.live) { client in
            let onS = try await pipeline(client, s, documents: full, certified: true, vocabulary: vocabulary, forget: forget)
            let onReduced = try await pipeline(client, s, documents: reduced, certified: true, vocabulary: vocabulary, forget: forget)
            #expect(onS.privateFilesSeen >= 4, "the base's and the head's state and both unlearning reports are private")
            #expect(onS.surface.count > 2000, "the surface walked: \(onS.surface.count) leaves")
            let leaks = Self.undeclaredDifferences(onS, onReduced)
            #expect(leaks.isEmpty, "values of the data released un-noised: \(leaks.prefix(40).map { "\($0): \(onS.surface[$0] ?? "–") vs \(onReduced.surface[$0] ?? "–")" })")
            // The noised paths were really walked and really differ (fresh noise).
            // (The models' first versions carried the documents and are purged: the releases read are the new versions'.)
            #expect(onS.surface.contains { $0.key.hasSuffix("_file:release.json.mode") && $0.value == "\"certified\"" })
            #expect(onS.surface.keys.contains { $0.hasSuffix("_file:release.json.bias[0]") }, "the head's noised bias was read")

            // Positive control: the same pipeline in exact mode publishes counts, anchors, accuracies, ‖ΔA‖ … and is flagged.
            let exactS = try await pipeline(client, s, documents: full, certified: false, vocabulary: vocabulary, forget: forget)
            let exactReduced = try await pipeline(client, s, documents: reduced, certified: false, vocabulary: vocabulary, forget: forget)
            let flagged = Self.undeclaredDifferences(exactS, exactReduced)
            #expect(flagged.contains { $0.hasSuffix(".result.documents") }, "the audit sees the document count: \(flagged.prefix(20))")
            #expect(flagged.contains { $0.contains(".result.anchors[") } && flagged.contains { $0.contains("held_out_accuracy") })
            #expect(exactS.privateFilesSeen == 0)
        }
    }
}

/// Member names of a POSIX tar archive (ustar headers, 512-byte blocks).
enum TarNames {
    static func members(_ data: Data) -> [String] {
        var names: [String] = []
        var offset = 0
        let bytes = [UInt8](data)
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { break }
            let name = String(decoding: header.prefix(100).prefix { $0 != 0 }, as: UTF8.self)
            let sizeField = String(decoding: bytes[(offset + 124)..<(offset + 136)].prefix { $0 != 0 && $0 != 32 }, as: UTF8.self)
            let size = Int(sizeField, radix: 8) ?? 0
            names.append(name)
            offset += 512 + (size + 511) / 512 * 512
        }
        return names
    }
}
