import Foundation
import OrchardJobs
import OrchardQueue
import OrchardTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What the browser test needs besides the build: Debian's chromium and chromium-driver (the Makefile's apt
/// packages) and Selenium in the test venv (scripts/python-test-deps.sh).
enum BrowserToolchain {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let chromium = ProcessInfo.processInfo.environment["ORCHARD_CHROMIUM"] ?? "/usr/bin/chromium"
    static let chromedriver = ProcessInfo.processInfo.environment["ORCHARD_CHROMEDRIVER"] ?? "/usr/bin/chromedriver"
    static let script = packageRoot.appendingPathComponent("Tests/Browser/dashboard_browser.py")

    /// `ORCHARD_PYTHON` wins; else `.venv/bin/python3` at the package root.
    static var python: String {
        if let explicit = ProcessInfo.processInfo.environment["ORCHARD_PYTHON"], !explicit.isEmpty { return explicit }
        return packageRoot.appendingPathComponent(".venv/bin/python3").path
    }

    /// `make test` exports ORCHARD_REQUIRE_BROWSER=1 (and CI sets CI=true): there a missing browser fails the test
    /// instead of skipping it, so a machine without chromium cannot pass the suite silently.
    static let required = ProcessInfo.processInfo.environment["ORCHARD_REQUIRE_BROWSER"] == "1"
        || ProcessInfo.processInfo.environment["CI"] == "true"

    /// What is missing, in words (empty when the test can run).
    static let missing: [String] = {
        var out: [String] = []
        let fm = FileManager.default
        if !fm.isExecutableFile(atPath: chromium) { out.append("\(chromium) (apt-get install chromium, or `make deps`)") }
        if !fm.isExecutableFile(atPath: chromedriver) { out.append("\(chromedriver) (apt-get install chromium-driver, or `make deps`)") }
        let selenium = try? run(python, ["-c", "import selenium"], timeout: 60)
        if selenium?.status != 0 { out.append("Selenium in \(python) (scripts/python-test-deps.sh)") }
        return out
    }()

    static var shouldRun: Bool { required || missing.isEmpty }

    /// Runs a program to completion (SIGKILL after `timeout` seconds): its status and its output (stdout then stderr).
    static func run(_ program: String, _ arguments: [String], timeout: Double) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [program] + arguments
        // stderr goes to a file, so a chatty stderr cannot block the child while stdout is read from the pipe.
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-run-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        let pid = p.processIdentifier
        let killer = DispatchWorkItem { Glibc.kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        let errData = (try? Data(contentsOf: errFile)) ?? Data()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// The dashboard (`/ui`, issue 21 items 2–5) in a real browser: headless chromium, driven through chromium-driver by
/// Tests/Browser/dashboard_browser.py, against a real `orchard serve` on a loopback port with a real SQLite file and
/// real jobs. This test fills the server through the API with hostile names, a completed deletion request, a job
/// that is running while the browser watches, and a finished job with 10,000 events; the script signs in, watches
/// the running job's chart gain points from the SSE stream (and, after it kills and restarts this server, resume
/// with Last-Event-ID without losing or repeating an event, until it cancels the job from the page), verifies the receipt's manifest hash in the browser,
/// checks that hostile strings render as text with nothing injected or run, and measures the 10,000-event page.
/// `ORCHARD_UI_SCREENSHOTS=DIR` also saves a PNG of each page there (docs/ui/).
@Suite(.serialized) struct DashboardBrowserTests {
    /// Strings a user controls that the pages show: dataset names, domain names, metadata keys and values, reasons.
    static let hostile = [
        #"<img src=x onerror="window.__pwned=1">"#,
        #""><script>window.__pwned=2</script>"#,
        "</td><td onclick=window.__pwned=3>&lt;b&gt;not bold&lt;/b&gt;",
        "__proto__",
    ]

    /// Awkward values for the canonical-JSON comparison: key order (case, underscore, digits, non-ASCII), numbers
    /// at the edges of Swift's integer and exponent forms, and escapes.
    static let canonicalCases: [JSONValue] = [
        ["b": 1, "a_b": 2, "aB": 3, "A": 4, "a10": 5, "a2": 6, "é": 7, "z": 8, "_": 9, "😀": 10],
        [0.1, 1e-5, 1.5e-7, 123456.789, 1e16, 1e21, 2.5e-4, 0.0001, 9.999999999999999e-05, -0.0, 3e20, 0.3333333333333333,
         9007199254740994, 9007000000000000, 4503599627370495.5, -1.5e-5, 42, -7],
        ["s": "\u{0}\u{1}\u{1f}\u{7f}\"\\/\n\r\t\u{8}\u{c} é 😀 \u{2028}<>&'", "n": nil, "t": true, "f": false, "arr": [[], [:], [nil]]],
    ]

    @Test(.enabled(if: BrowserToolchain.shouldRun, "needs chromium, chromium-driver and Selenium: make deps, scripts/python-test-deps.sh"),
          .timeLimit(.minutes(5)))
    func theDashboardInChromium() async throws {
        try #require(BrowserToolchain.missing.isEmpty, "the browser test cannot run; missing: \(BrowserToolchain.missing.joined(separator: "; "))")
        let clock = ContinuousClock()
        let started = clock.now
        let dir = temporaryDataDir("dashboard")
        let key = try createKey(dataDir: dir)
        let bigJob = try RecordedJob.write(dataDir: dir, tenant: "acme", steps: 10_000)
        let recorded = clock.now - started
        let server = try ServerProcess(dataDir: dir, extraArgs: ["--workers", "3"])
        try await server.waitUntilListening()
        let api = API(base: server.baseURL, key: key)
        let env = ["ORCHARD_URL": server.baseURL, "ORCHARD_API_KEY": key]

        // A dataset whose name, domains and documents are hostile, uploaded with the CLI (the streaming upload route).
        let file = dir.appendingPathComponent("hostile.jsonl")
        let lines = (0..<12).map { i -> String in
            let doc: JSONValue = ["id": .string("doc-\(i)"), "domain": .string(Self.hostile[i % Self.hostile.count]),
                                  "text": .string("document \(i) of the dashboard test, with a few words to read")]
            return String(decoding: doc.canonicalData(), as: UTF8.self)
        }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let datasetName = Self.hostile[1] + " & " + Self.hostile[0]
        let (s, out, err) = try runTool("orchard", ["datasets", "upload", file.path, "--name", datasetName], env: env)
        #expect(s == 0, "\(err)")
        let dataset = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))["id"]?.stringValue)

        // A model trained on it, with hostile metadata, then a deletion request that unlearns two of its documents.
        let (memStatus, memorizer) = try await api.call(.POST, "/v1/jobs", [
            "type": "test_memorizer", "params": ["dataset": .string(dataset)],
            "metadata": ["owner": .string(Self.hostile[0]), "k": .string(Self.hostile[2]), "note": .string(Self.hostile[3])],
        ])
        #expect(memStatus == 201, "\(memorizer)")
        let model = try #require(memorizer["id"]?.stringValue)
        try await waitFor("the memorizer job") { try await api.job(model)["status"] == "succeeded" }
        let (drStatus, filed) = try await api.call(.POST, "/v1/deletion_requests", [
            "dataset": .string(dataset), "document_ids": ["doc-1", "doc-2"], "reason": .string("erase " + Self.hostile[0]),
        ])
        #expect(drStatus == 201, "\(filed)")
        let requestID = try #require(filed["id"]?.stringValue)
        var request: JSONValue = filed
        try await waitFor("the deletion request", timeout: .seconds(90)) {
            request = try await api.call(.GET, "/v1/deletion_requests/\(requestID)").1
            return request["status"] == "completed"
        }
        let receipt = try #require(request["receipt"])
        let forgetJob = try #require(request["actions"]?.arrayValue?.first?["job_id"]?.stringValue)

        // An ADO pretrain run on real text whose domains are named by hostile strings: its weights chart has one
        // series per domain, and the legend shows the names.
        let realText = try RealTextFixture.jsonl(perDomain: 8)
            .replacingOccurrences(of: #""domain":"descriptions""#, with: String(decoding: JSONValue.object(["domain": .string(Self.hostile[0])]).canonicalData().dropFirst().dropLast(), as: UTF8.self))
            .replacingOccurrences(of: #""domain":"python""#, with: #""domain":"__proto__""#)
        let textFile = dir.appendingPathComponent("text.jsonl")
        try realText.write(to: textFile, atomically: true, encoding: .utf8)
        let (ts, tout, terr) = try runTool("orchard", ["datasets", "upload", textFile.path, "--name", "real text"], env: env)
        #expect(ts == 0, "\(terr)")
        let textDataset = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(tout.utf8))["id"]?.stringValue)
        let (ptStatus, pretrain) = try await api.call(.POST, "/v1/jobs", ["type": "pretrain", "seed": 3, "params": [
            "dataset": .string(textDataset), "model": ["layers": 1, "d_model": 32, "heads": 2, "context": 32], "batch_size": 8,
            "steps": 60, "optimizer": ["lr": 0.01, "warmup": 5], "metrics_every": 2, "eval_every": 10, "heldout_windows": 4,
            "checkpoint_every": 30,
            "mixture": ["kind": "ado", "config": ["update_interval": 10, "ignore_steps": 0, "start_step": 20, "subsample": 1, "smoothing_window": 5]],
        ]])
        #expect(ptStatus == 201, "\(pretrain)")
        let pretrainJob = try #require(pretrain["id"]?.stringValue)
        try await waitFor("the pretrain job", timeout: .seconds(180)) { try await api.job(pretrainJob)["status"] == "succeeded" }

        // DPO on that model: its chart of the chosen and rejected responses' log-prob change from the reference.
        let pairsFile = dir.appendingPathComponent("pairs.jsonl")
        try (0..<12).map { i -> String in
            let pair: JSONValue = ["prompt": .string("Question \(i): under which licence is package \(i)?"),
                                   "chosen": " It is free software under the GPL.", "rejected": " Nobody knows."]
            return String(decoding: pair.canonicalData(), as: UTF8.self)
        }.joined(separator: "\n").write(to: pairsFile, atomically: true, encoding: .utf8)
        let (ps, pout, perr) = try runTool("orchard", ["datasets", "upload", pairsFile.path, "--name", "pairs"], env: env)
        #expect(ps == 0, "\(perr)")
        let pairsDataset = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(pout.utf8))["id"]?.stringValue)
        let (dpoStatus, dpo) = try await api.call(.POST, "/v1/jobs", ["type": "dpo", "seed": 5, "params": [
            "model": .string(pretrainJob), "dataset": .string(pairsDataset), "steps": 12, "batch_size": 4, "metrics_every": 2,
            "optimizer": ["lr": 0.001],
        ]])
        #expect(dpoStatus == 201, "\(dpo)")
        let dpoJob = try #require(dpo["id"]?.stringValue)
        try await waitFor("the dpo job", timeout: .seconds(120)) { try await api.job(dpoJob)["status"] == "succeeded" }

        // The job the browser watches: running when the page opens (it would take over a minute; the script cancels
        // it from the page after the restart), a checkpoint every 25 steps.
        let (runStatus, running) = try await api.call(.POST, "/v1/jobs", [
            "type": "test_counter", "params": ["steps": 1000, "step_ms": 100, "checkpoint_every": 25],
            "metadata": ["run": .string(Self.hostile[1])],
        ])
        #expect(runStatus == 201, "\(running)")
        let runningJob = try #require(running["id"]?.stringValue)
        try await waitFor("the watched job to start") { try await api.job(runningJob)["status"] == "running" }

        let bigEvents = try await api.allEvents(bigJob)
        let canonical: [JSONValue] = Self.canonicalCases.map {
            ["value": $0, "sha256": .string(Fingerprint.sha256($0.canonicalData()))]
        }
        let downloads = dir.appendingPathComponent("downloads", isDirectory: true)
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        var plan: [String: JSONValue] = [
            "base": .string(server.baseURL), "key": .string(key),
            "running_job": .string(runningJob), "download_job": .string(forgetJob),
            "deletion_request": .string(requestID), "affected_models": [.string(model)],
            "receipt": receipt, "manifest_sha256": receipt["manifest_sha256"] ?? .null,
            "canonical_cases": .array(canonical),
            "hostile_pages": [
                "#/datasets": .array([datasetName, Self.hostile[0], Self.hostile[1], Self.hostile[2], Self.hostile[3]].map(JSONValue.string)),
                "#/jobs/\(pretrainJob)": .array([Self.hostile[0], "__proto__"].map(JSONValue.string)),
                "#/jobs/\(model)": .array([Self.hostile[0], Self.hostile[2], Self.hostile[3]].map(JSONValue.string)),
                "#/jobs": .array([Self.hostile[0], Self.hostile[1]].map(JSONValue.string)),
                "#/deletions/\(requestID)": [.string("erase " + Self.hostile[0])],
            ],
            "pretrain_job": .string(pretrainJob), "pretrain_domains": .array([Self.hostile[0], "__proto__", "licenses"].map(JSONValue.string)),
            "dpo_job": .string(dpoJob),
            "big_job": .string(bigJob), "big_job_events": .number(Double(bigEvents.count)),
            "big_job_metrics": .number(Double(bigEvents.filter { $0["type"] == "metrics" }.count)),
            "download_dir": .string(downloads.path),
            // The script kills this server mid-stream and starts it again on the same port (the last --port wins).
            "server_pid": .number(Double(server.process.processIdentifier)),
            "restart": .array(([server.process.executableURL!.path] + (server.process.arguments ?? []) + ["--port", String(server.port)])
                .map(JSONValue.string)),
            "restart_log": .string(dir.appendingPathComponent("restarted-server.log").path),
        ]
        if let shots = ProcessInfo.processInfo.environment["ORCHARD_UI_SCREENSHOTS"], !shots.isEmpty { plan["screenshots"] = .string(shots) }
        let planFile = dir.appendingPathComponent("plan.json")
        try JSONValue.object(plan).canonicalData().write(to: planFile)

        let browserStart = clock.now
        let result = try BrowserToolchain.run(BrowserToolchain.python, [BrowserToolchain.script.path, planFile.path], timeout: 150)
        let browserTime = clock.now - browserStart
        #expect(result.status == 0, "dashboard_browser.py exited \(result.status):\n\(result.stdout)\n\(result.stderr.suffix(4000))")
        let report = result.stdout.split(separator: "\n").last.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        let measured = try #require(report?["measurements"], "no report from the browser script:\n\(result.stdout)\n\(result.stderr.suffix(4000))")
        #expect(report?["failures"]?.arrayValue?.isEmpty == true)
        // The chart grew from the stream, and the 10,000-event page read every event and kept its DOM small.
        let points = measured["running_job_points"]
        #expect((points?["after_wait"]?.intValue ?? 0) > (points?["at_open"]?.intValue ?? .max))
        #expect(measured["big_job"]?["events"]?.intValue == bigEvents.count && bigEvents.count >= 10_000)
        print("dashboard browser test: recorded 10,000 events in \(recorded), browser part \(browserTime), "
              + "measurements \(String(decoding: measured.canonicalData(), as: UTF8.self))")
    }
}
