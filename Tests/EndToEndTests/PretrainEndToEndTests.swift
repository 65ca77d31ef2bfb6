import Foundation
import OrchardJobs
import OrchardTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `pretrain` job through the real server binary: dataset upload with the CLI, an ADO run on three real
/// text domains, per-domain metrics, the SVG plots, and SIGKILL of the server mid-run followed by a
/// restart that resumes the job on the identical mixture trajectory.
@Suite(.serialized) struct PretrainEndToEndTests {
    static let params: JSONValue = [
        "model": ["layers": 1, "d_model": 32, "heads": 2, "context": 32], "batch_size": 8, "steps": 80,
        "optimizer": ["lr": 0.01, "warmup": 5], "metrics_every": 5, "eval_every": 10, "heldout_windows": 4,
        "checkpoint_every": 10,
        // refit_signal_span 1: the first-refit rule over the whole fit range, so this 80-step run fits early.
        "mixture": ["kind": "ado", "config": ["updateInterval": 10, "ignoreSteps": 0, "startStep": 20, "subsample": 1,
                                              "smoothingWindow": 5, "refit_signal_span": 1]],
    ]

    func submit(_ api: API, dataset: String, key: String) async throws -> String {
        var p = Self.params.objectValue!
        p["dataset"] = .string(dataset)
        let (status, job) = try await api.call(.POST, "/v1/jobs", ["type": "pretrain", "params": .object(p), "seed": 11],
                                               headers: [("Idempotency-Key", key)])
        #expect(status == 201 || status == 200, "\(job)")
        return try #require(job["id"]?.stringValue)
    }

    func metrics(_ api: API, _ id: String) async throws -> [Int: JSONValue] {
        var out: [Int: JSONValue] = [:]
        for e in try await api.allEvents(id) where e["type"] == "metrics" {
            var d = e["data"]!.objectValue!
            for k in ["tokens_per_second", "mixture_seconds", "train_seconds"] { d[k] = nil }
            out[d["step"]!.intValue!] = .object(d)
        }
        return out
    }

    @Test func pretrainWithADOStreamsMetricsPlotsAndSurvivesAKill() async throws {
        let dir = temporaryDataDir("pretrain")
        let key = try createKey(dataDir: dir)
        var server = try ServerProcess(dataDir: dir)
        try await server.waitUntilListening()
        var api = API(base: server.baseURL, key: key)

        // Upload real text in three domains with the CLI.
        let file = dir.appendingPathComponent("three.jsonl")
        try RealTextFixture.jsonl().write(to: file, atomically: true, encoding: .utf8)
        let (s, out, err) = try runTool("orchard", ["datasets", "upload", file.path, "--name", "three"],
                                        env: ["ORCHARD_URL": server.baseURL, "ORCHARD_API_KEY": key])
        #expect(s == 0, "\(err)")
        let dataset = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))["id"]?.stringValue)

        // Bad params are a 422 naming the field, before anything is queued.
        let (bad, envelope) = try await api.call(.POST, "/v1/jobs", ["type": "pretrain", "params": ["dataset": .string(dataset),
                                                                       "model": ["d_model": 30, "heads": 4]]])
        #expect(bad == 422 && envelope["error"]?["param"] == "params.model.heads", "\(envelope)")

        // Reference run, uninterrupted; the echoed params have every "auto" resolved.
        let ref = try await submit(api, dataset: dataset, key: "ref")
        try await waitFor("reference run", timeout: .seconds(300)) { try await api.job(ref)["status"] == "succeeded" }
        let job = try await api.job(ref)
        #expect(job["params"]?["ado_resolved"]?["bounds"] != nil && job["params"]?["optimizer"]?["min_lr"]?.doubleValue != nil)
        let refMetrics = try await metrics(api, ref)
        let domains = ["descriptions", "licenses", "python"]
        #expect(refMetrics[80] != nil)
        for (_, m) in refMetrics {
            let w = domains.compactMap { m["weights"]?[$0]?.doubleValue }
            #expect(w.count == 3 && abs(w.reduce(0, +) - 1) < 1e-9 && w.allSatisfy { $0 >= 0.01 - 1e-12 })
        }
        #expect(refMetrics.values.contains { $0["fit"]?["laws"]?["python"]?["alpha"]?.doubleValue != nil })
        #expect(refMetrics.values.contains { $0["heldout_loss_by_domain"]?["licenses"]?.doubleValue != nil })

        // Plots: valid SVG, and a clear 404 for an unknown name.
        for name in ["loss", "mixture"] {
            let (code, body) = try await api.call(.GET, "/v1/jobs/\(ref)/plots/\(name).svg")
            let svg = try #require(body.stringValue)
            #expect(code == 200 && svg.hasPrefix("<?xml") && svg.contains("<svg xmlns=") && svg.hasSuffix("</svg>\n"))
            for d in domains { #expect(svg.contains(d)) }
            let parser = XMLParserCheck(svg)
            #expect(parser.ok, "\(name).svg does not parse as XML")
        }
        let (missing, env404) = try await api.call(.GET, "/v1/jobs/\(ref)/plots/nope.svg")
        #expect(missing == 404 && env404["error"]?["code"] == "not_found")

        // Same job again; SIGKILL the server after its second checkpoint, restart, let it resume.
        let run = try await submit(api, dataset: dataset, key: "killed")
        try await waitFor("two checkpoints", timeout: .seconds(300)) {
            (try await api.call(.GET, "/v1/jobs/\(run)/checkpoints").1["data"]?.arrayValue?.count ?? 0) >= 2
        }
        server.kill(SIGKILL)
        _ = try await server.waitForExit(timeout: .seconds(10))
        server = try ServerProcess(dataDir: dir)
        try await server.waitUntilListening()
        api = API(base: server.baseURL, key: key)
        try await waitFor("resumed run", timeout: .seconds(300)) { try await api.job(run)["status"] == "succeeded" }
        let events = try await api.allEvents(run)
        #expect(events.contains { $0["type"] == "resumed" })
        #expect(try await metrics(api, run) == refMetrics)
        server.kill(SIGKILL)
    }
}

/// Parses a string as XML (well-formedness only).
struct XMLParserCheck {
    let ok: Bool
    init(_ text: String) {
        // Minimal well-formedness check: balanced tags, in order.
        var stack: [String] = []
        var ok = true
        var i = text.startIndex
        while let open = text[i...].firstIndex(of: "<") {
            guard let close = text[open...].firstIndex(of: ">") else { ok = false; break }
            let tag = text[text.index(after: open)..<close]
            i = text.index(after: close)
            if tag.hasPrefix("?") || tag.hasPrefix("!") { continue }
            if tag.hasSuffix("/") { continue }
            let name = tag.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.map(String.init) ?? ""
            if name.hasPrefix("/") {
                guard stack.popLast() == String(name.dropFirst()) else { ok = false; break }
            } else {
                stack.append(name)
            }
        }
        self.ok = ok && stack.isEmpty
    }
}
