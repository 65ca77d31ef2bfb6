import Foundation
import OrchardJobs
import OrchardTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 20 item 2: two `orchard serve` and two `orchard worker` processes (the real binary) on one PostgreSQL
/// database and one shared checkpoint directory. Jobs go in through both APIs, one Idempotency-Key through both
/// servers; a worker is SIGKILLed mid-job. Every job completes exactly once, every event stream is 1…n, the
/// checkpoints are on the shared directory, and the killed job resumes from its checkpoint on the other worker.
/// Needs the test PostgreSQL server (scripts/postgres-test-server.sh; `make test` starts it).
@Suite(.serialized, .enabled(if: ScaleOutDatabase.serverURL != nil || ScaleOutDatabase.required))
struct ScaleOutTests {
    let victimParams: JSONValue = ["steps": 150, "checkpoint_every": 5, "step_ms": 40]
    let shortParams: JSONValue = ["steps": 10, "checkpoint_every": 5, "step_ms": 20]

    @Test func twoServersAndTwoWorkersOnOneDatabaseRunEveryJobOnceThroughAWorkerCrash() async throws {
        let database = try ScaleOutDatabase()
        defer { database.drop() }
        let checkpoints = temporaryDataDir("shared-checkpoints")
        let shared = ["--database", database.url, "--checkpoint-dir", checkpoints.path]
        let key = try createKey(dataDir: temporaryDataDir("keys"), extraArgs: ["--database", database.url])

        let serverA = try ServerProcess(dataDir: temporaryDataDir("api-a"), extraArgs: ["--workers", "0"] + shared)
        let serverB = try ServerProcess(dataDir: temporaryDataDir("api-b"), extraArgs: ["--workers", "0"] + shared)
        try await serverA.waitUntilListening()
        try await serverB.waitUntilListening()
        let apiA = API(base: serverA.baseURL, key: key), apiB = API(base: serverB.baseURL, key: key)
        var workerArgs = ["worker", "--lease-seconds", "3", "--heartbeat-seconds", "0.5", "--reap-seconds", "0.2"] + shared
        // The first worker starts alone, so the long job is on it when it is killed.
        let worker1 = try WorkerProcess(workerArgs + ["--data-dir", temporaryDataDir("worker-1").path, "--workers", "1"])
        defer { worker1.kill(SIGKILL) }

        let (code, created) = try await apiA.call(.POST, "/v1/jobs", ["type": "test_counter", "params": victimParams, "seed": 41])
        #expect(code == 201, "\(created)")
        let victim = try #require(created["id"]?.stringValue)
        try await waitFor("the long job to pass two checkpoints") { try await apiB.job(victim)["progress"]?["step"]?.intValue ?? 0 >= 12 }

        workerArgs += ["--data-dir", temporaryDataDir("worker-2").path, "--workers", "2"]
        let worker2 = try WorkerProcess(workerArgs)
        defer { worker2.kill(SIGKILL) }
        // Short jobs through both APIs, and one idempotency key sent to each server.
        var ids = [victim]
        for i in 0..<10 {
            let api = i % 2 == 0 ? apiA : apiB
            let (c, j) = try await api.call(.POST, "/v1/jobs", ["type": "test_counter", "params": shortParams, "seed": .number(Double(i))])
            #expect(c == 201, "\(j)")
            ids.append(try #require(j["id"]?.stringValue))
        }
        let body: JSONValue = ["type": "test_counter", "params": shortParams, "seed": 77]
        let (c1, first) = try await apiA.call(.POST, "/v1/jobs", body, headers: [("Idempotency-Key", "scale-out-1")])
        let (c2, again) = try await apiB.call(.POST, "/v1/jobs", body, headers: [("Idempotency-Key", "scale-out-1")])
        let keyed = try #require(first["id"]?.stringValue)
        #expect(c1 == 201 && c2 == 201 && again["id"]?.stringValue == keyed, "one job for one key across servers: \(first) \(again)")
        ids.append(keyed)

        // Kill the first worker mid-job: the survivor's reaper finds the dead owner and the job resumes there.
        let stepAtKill = try await apiA.job(victim)["progress"]?["step"]?.intValue ?? 0
        #expect(try await apiA.job(victim)["status"] == "running")
        worker1.kill(SIGKILL)
        worker1.process.waitUntilExit()

        for id in ids {
            try await waitFor("job \(id) to finish", timeout: .seconds(120)) { try await apiB.job(id)["status"] == "succeeded" }
        }
        let listed = try await apiA.call(.GET, "/v1/jobs?limit=100").1["data"]?.arrayValue ?? []
        #expect(listed.count == ids.count, "the repeated key made no second job")
        for (n, id) in ids.enumerated() {
            let events = try await (n % 2 == 0 ? apiA : apiB).allEvents(id)
            let seqs = events.compactMap { $0["id"]?.intValue }
            #expect(seqs == Array(1...max(1, seqs.count)), "job \(id): no gap, no duplicate")
            #expect(events.filter { $0["type"] == "job.succeeded" }.count == 1, "job \(id) finished exactly once")
            let starts = events.filter { $0["type"] == "job.started" }.count
            #expect(starts == (id == victim ? 2 : 1), "job \(id) ran \(starts) times")
        }

        // The killed job resumed on the other worker from the newest checkpoint its first attempt wrote.
        let job = try await apiB.job(victim)
        #expect(job["attempt"] == 2)
        #expect(job["result"]?["value"]?.stringValue == "\(TestCounterKind.expectedValue(seed: 41, steps: 150))")
        let events = try await apiB.allEvents(victim)
        let savedBeforeKill = events.filter { $0["type"] == "checkpoint.saved" && $0["attempt"] == 1 }.compactMap { $0["data"]?["step"]?.intValue }
        let resumedFrom = try #require(events.first { $0["type"] == "resumed" }?["data"]?["step"]?.intValue)
        #expect(resumedFrom >= 10 && resumedFrom == savedBeforeKill.max() && resumedFrom >= stepAtKill - 5)
        // Checkpoints live on the shared directory, where the second worker read the first one's.
        let latest = try #require(job["latest_checkpoint_id"]?.stringValue)
        #expect(FileManager.default.fileExists(atPath: checkpoints.appendingPathComponent("\(victim)/\(latest)/state.json").path))

        worker2.kill(SIGTERM)
        worker2.process.waitUntilExit()
        #expect(worker2.process.terminationStatus == 0)
        serverA.kill(SIGKILL)
        serverB.kill(SIGKILL)
    }

    @Test func aBadOrUnreachableDatabaseIsAUsageErrorNamingTheFlag() throws {
        for (url, says) in [("postgres://nobody@/x", "names no host"), ("postgres://nobody@127.0.0.1:1/x", "cannot connect")] {
            for args in [["serve", "--port", "0"], ["worker"], ["migrate"], ["keys", "create", "--tenant", "t"]] {
                let (status, _, err) = try runTool("orchard", args + ["--data-dir", temporaryDataDir("bad-db").path, "--database", url],
                                                   timeout: .seconds(30))
                #expect(status != 0 && status != 9 && err.contains("--database") && err.contains(says), "\(args): \(status) \(err)")
            }
        }
    }
}

/// A fresh database on the test PostgreSQL server for one test, made and dropped with `psql`.
struct ScaleOutDatabase {
    static let serverURL = ProcessInfo.processInfo.environment["ORCHARD_TEST_POSTGRES_URL"]
    static let required = ProcessInfo.processInfo.environment["ORCHARD_REQUIRE_POSTGRES"] == "1"

    let name = "orchard_e2e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let server: String
    /// The new database's URL, for `--database`.
    let url: String

    init() throws {
        guard let serverURL = Self.serverURL, var c = URLComponents(string: serverURL) else {
            throw E2EError("ORCHARD_TEST_POSTGRES_URL is not set: start scripts/postgres-test-server.sh")
        }
        server = serverURL
        c.path = "/" + name
        url = c.string!
        try Self.psql(server, "CREATE DATABASE \(name)")
    }

    func drop() { try? Self.psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }

    static func psql(_ url: String, _ sql: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw E2EError("psql \(sql): \(String(decoding: e, as: UTF8.self))") }
    }
}

/// A real `orchard worker` process (the test build, with the test job kinds).
final class WorkerProcess: @unchecked Sendable {
    let process = Process()

    init(_ arguments: [String]) throws {
        process.executableURL = try productsDirectory().appendingPathComponent("orchard-testserver")
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    func kill(_ signal: Int32) { if process.isRunning { Glibc.kill(process.processIdentifier, signal) } }
}
