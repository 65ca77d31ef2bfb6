import Foundation
import OrchardJobs
import OrchardTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20 items 3–4: the Slurm execution back end against a real single-node Slurm (slurmctld + slurmd + munge,
/// `scripts/slurm-test-cluster.sh`, started by `make test`) and a real `orchard serve --slurm` process. Jobs go in
/// through the API with `"backend": "slurm"`; Slurm runs `orchard worker --job ID` (the test build) against the same
/// store. The server also runs a local worker: it must never take a Slurm job. Checked: completion, cancel through the
/// API (the job ends `cancelled`, Slurm's job `CANCELLED`), resume from the checkpoint after an external `scancel`
/// (the worker drains on SIGTERM) and after `scancel --signal=KILL` (a lost node: the worker dies without a word), on
/// PostgreSQL and on SQLite (one machine: the worker opens the same SQLite file).
@Suite(.serialized, .enabled(if: SlurmCluster.available || SlurmCluster.required))
struct SlurmBackendTests {
    enum Store: String, CaseIterable, Sendable { case postgres, sqlite }

    /// A server with `--slurm` on a fresh store; the returned closure cleans up.
    struct Deployment {
        let server: ServerProcess
        let api: API
        let slurmDir: URL
        let cleanup: @Sendable () -> Void
    }

    static func deploy(_ store: Store, extra: [String] = []) async throws -> Deployment {
        try SlurmCluster.requireWorking()
        let dataDir = temporaryDataDir("slurm-api"), slurmDir = temporaryDataDir("slurm-dir")
        var location = ["--data-dir", dataDir.path]
        var drop: @Sendable () -> Void = {}
        if store == .postgres {
            let database = try ScaleOutDatabase()
            drop = { database.drop() }
            location += ["--database", database.url, "--checkpoint-dir", temporaryDataDir("slurm-checkpoints").path]
        }
        let key = try createKey(dataDir: dataDir, extraArgs: Array(location.dropFirst(2)))
        let server = try ServerProcess(dataDir: dataDir, extraArgs: Array(location.dropFirst(2)) + [
            "--workers", "1", "--slurm", "--slurm-mem", "200M", "--slurm-poll-ms", "100", "--slurm-dir", slurmDir.path,
            "--lease-seconds", "20", "--heartbeat-seconds", "1", "--drain-seconds", "10",
        ] + extra)
        try await server.waitUntilListening()
        let dropDatabase = drop
        return Deployment(server: server, api: API(base: server.baseURL, key: key), slurmDir: slurmDir, cleanup: {
            server.kill(SIGKILL)
            dropDatabase()
        })
    }

    @Test(arguments: Store.allCases)
    func aSlurmJobRunsThroughSbatchAndALocalJobStaysLocal(_ store: Store) async throws {
        let d = try await Self.deploy(store)
        defer { d.cleanup() }
        let params: JSONValue = ["steps": 12, "checkpoint_every": 4, "step_ms": 20]
        let clock = ContinuousClock(), posted = clock.now
        let (code, created) = try await d.api.call(.POST, "/v1/jobs", ["type": "test_counter", "params": params, "seed": 5,
                                                                        "backend": "slurm", "threads": 1])
        #expect(code == 201, "\(created)")
        #expect(created["backend"] == "slurm" && created["threads"] == 1 && created["backend_ref"] == .null)
        let id = try #require(created["id"]?.stringValue)
        var startedAfter: Duration?
        try await waitFor("the Slurm job to start", timeout: .seconds(60)) {
            let status = try await d.api.job(id)["status"]?.stringValue
            if status != "queued", startedAfter == nil { startedAfter = clock.now - posted }
            return status == "running" || status == "succeeded"
        }
        print("slurm[\(store)]: POST /v1/jobs -> running in \(startedAfter.map { "\($0)" } ?? "?")")
        let (lc, local) = try await d.api.call(.POST, "/v1/jobs", ["type": "test_counter", "params": params, "seed": 6])
        #expect(lc == 201 && local["backend"] == "local", "the server's default back end is local: \(local)")
        let localID = try #require(local["id"]?.stringValue)
        for j in [id, localID] {
            try await waitFor("job \(j) to succeed", timeout: .seconds(90)) { try await d.api.job(j)["status"] == "succeeded" }
        }
        let job = try await d.api.job(id)
        #expect(job["result"]?["value"]?.stringValue == "\(TestCounterKind.expectedValue(seed: 5, steps: 12))")
        let ref = try #require(job["backend_ref"]?.stringValue)
        #expect(Int(ref) != nil && job["backend_submissions"] == 1)
        try await waitFor("the dispatcher to see the Slurm job end") { try await d.api.job(id)["backend_state"] == "COMPLETED" }
        let events = try await d.api.allEvents(id)
        #expect(events.filter { $0["type"] == "job.backend_submitted" }.map { $0["data"]?["ref"] } == [.string(ref)])
        #expect(events.filter { $0["type"] == "job.started" }.count == 1)
        #expect(events.contains { $0["type"] == "job.backend_ended" && $0["data"]?["state"] == "COMPLETED" })
        // Slurm ran it: its job has the submission's name, and its output is the worker's log for this job.
        let show = try SlurmCluster.run(["scontrol", "show", "job", "-o", ref])
        #expect(show.contains("JobName=orchard-\(id)-1") && show.contains("JobState=COMPLETED") && show.contains("NumCPUs=1"), "\(show)")
        let output = try String(contentsOf: d.slurmDir.appendingPathComponent("\(ref).out"), encoding: .utf8)
        #expect(output.contains("orchard worker started for one job") && output.contains(id), "\(output)")
        // The local job never went to Slurm.
        let localJob = try await d.api.job(localID)
        #expect(localJob["backend_ref"] == .null && localJob["backend_submissions"] == 0)
    }

    @Test func aCancelThroughTheAPIEndsTheJobCancelledAndTheSlurmJobCancelled() async throws {
        let d = try await Self.deploy(.postgres)
        defer { d.cleanup() }
        let (_, created) = try await d.api.call(.POST, "/v1/jobs", ["type": "test_counter", "backend": "slurm",
                                                                     "params": ["steps": 3000, "checkpoint_every": 20, "step_ms": 20]])
        let id = try #require(created["id"]?.stringValue)
        try await waitFor("the job to run", timeout: .seconds(60)) { try await d.api.job(id)["progress"]?["step"]?.intValue ?? 0 >= 5 }
        let ref = try #require(try await d.api.job(id)["backend_ref"]?.stringValue)
        let (code, _) = try await d.api.call(.POST, "/v1/jobs/\(id)/cancel")
        #expect(code == 200)
        try await waitFor("the job to end", timeout: .seconds(60)) { try await d.api.job(id)["status"]?.stringValue != "running" }
        let job = try await d.api.job(id)
        #expect(job["status"] == "cancelled", "a SIGTERM-ed Slurm job of a cancelled job ends cancelled, not failed: \(job)")
        try await waitFor("Slurm's job to end") { try await d.api.job(id)["backend_state"] == "CANCELLED" }
        #expect(try SlurmCluster.run(["scontrol", "show", "job", "-o", ref]).contains("JobState=CANCELLED"))
        let events = try await d.api.allEvents(id)
        #expect(events.filter { $0["type"] == "job.cancelled" }.count == 1 && !events.contains { $0["type"] == "job.failed" })
        #expect(events.filter { $0["type"] == "job.backend_submitted" }.count == 1, "a cancelled job is not submitted again")
    }

    /// `scancel` from outside (an administrator, a preemption): SIGTERM, on which the worker checkpoints and gives the
    /// job back. A lost node: the worker is SIGKILLed (what `scancel --signal=KILL` does not do: Slurm turns it into
    /// an ordinary cancel), the batch step dies, Slurm reports the job FAILED, and the dispatcher reclaims the lease at
    /// once (the server's own reaper, which would also see the dead local pid, is slowed to 10 minutes so the
    /// dispatcher's path is the one tested). Either way the job is submitted again and resumes from its newest checkpoint.
    @Test(arguments: ["TERM", "KILL"])
    func aJobWhoseSlurmJobEndsUnderItResumesFromItsCheckpoint(_ signal: String) async throws {
        let d = try await Self.deploy(.postgres, extra: ["--reap-seconds", "600"])
        defer { d.cleanup() }
        let steps = 200
        let (_, created) = try await d.api.call(.POST, "/v1/jobs", ["type": "test_counter", "backend": "slurm", "seed": 9,
                                                                     "params": ["steps": .number(Double(steps)), "checkpoint_every": 10, "step_ms": 30]])
        let id = try #require(created["id"]?.stringValue)
        try await waitFor("two checkpoints", timeout: .seconds(60)) { try await d.api.job(id)["progress"]?["step"]?.intValue ?? 0 >= 25 }
        let first = try #require(try await d.api.job(id)["backend_ref"]?.stringValue)
        if signal == "TERM" { try SlurmCluster.run(["scancel", first]) } else {
            let (status, _, err) = try runProgram(["pkill", "-KILL", "-f", "worker --job \(id)"])
            #expect(status == 0, "the worker process of the job was found and killed: \(err)")
        }
        try await waitFor("a second submission", timeout: .seconds(60)) {
            let j = try await d.api.job(id)
            return j["backend_ref"]?.stringValue.map { $0 != first } ?? false
        }
        try await waitFor("the job to succeed", timeout: .seconds(120)) { try await d.api.job(id)["status"] == "succeeded" }
        let job = try await d.api.job(id)
        #expect(job["result"]?["value"]?.stringValue == "\(TestCounterKind.expectedValue(seed: 9, steps: steps))")
        #expect(job["backend_submissions"] == 2)
        #expect(job["interruptions"] == (signal == "TERM" ? 0 : 1), "a drain is not an interruption; a dead worker is: \(job)")
        let events = try await d.api.allEvents(id)
        let ended = try #require(events.first { $0["type"] == "job.backend_ended" && $0["data"]?["ref"]?.stringValue == first })
        #expect(ended["data"]?["state"]?.stringValue == (signal == "TERM" ? "CANCELLED" : "FAILED"), "\(ended)")
        #expect(events.contains { $0["type"] == (signal == "TERM" ? "job.released" : "job.lease_expired") })
        // The checkpoints the first run saved (a drain saves one more as it stops).
        let secondStart = try #require(events.filter { $0["type"] == "job.started" }.dropFirst().first?["id"]?.intValue)
        let saved = events.filter { $0["type"] == "checkpoint.saved" && ($0["id"]?.intValue ?? 0) < secondStart }
            .compactMap { $0["data"]?["step"]?.intValue }
        let resumed = try #require(events.last { $0["type"] == "resumed" }?["data"]?["step"]?.intValue)
        #expect(resumed >= 20 && resumed == saved.max(), "resumed from the newest checkpoint of the first run: \(resumed) \(saved)")
        #expect(!events.contains { $0["type"] == "job.failed" })
    }

    @Test func aWorkerThatCannotStartFailsTheJobAfterTheBoundWithSlurmsReason() async throws {
        let d = try await Self.deploy(.postgres, extra: ["--slurm-worker-binary", "/nonexistent/orchard"])
        defer { d.cleanup() }
        let (_, created) = try await d.api.call(.POST, "/v1/jobs", ["type": "test_counter", "backend": "slurm", "params": ["steps": 2]])
        let id = try #require(created["id"]?.stringValue)
        try await waitFor("the job to fail", timeout: .seconds(120)) { try await d.api.job(id)["status"] == "failed" }
        let job = try await d.api.job(id)
        #expect(job["error"]?["code"] == "backend_submissions_exceeded", "\(job)")
        #expect(job["backend_submissions"] == 5 && job["attempt"] == 0, "\(job)")
        #expect(job["error"]?["message"]?.stringValue?.contains("FAILED") == true, "\(job)")
    }
}

/// The single-node test cluster of `scripts/slurm-test-cluster.sh` (its `SLURM_CONF` in the environment).
enum SlurmCluster {
    static let configured = ProcessInfo.processInfo.environment["SLURM_CONF"] != nil
    static let required = ProcessInfo.processInfo.environment["ORCHARD_REQUIRE_SLURM"] == "1"
    static var available: Bool { configured && (try? run(["sinfo", "-h"])) != nil }

    static func requireWorking() throws {
        guard configured else { throw E2EError("SLURM_CONF is not set: start scripts/slurm-test-cluster.sh (make test does)") }
        _ = try run(["sinfo", "-h"])
    }

    /// Runs a Slurm client command; its stdout, or throws with stderr.
    @discardableResult
    static func run(_ args: [String]) throws -> String {
        let (status, out, err) = try runProgram(args, timeout: .seconds(30))
        guard status == 0 else { throw E2EError("\(args.joined(separator: " ")) exited \(status): \(err)") }
        return out
    }
}
