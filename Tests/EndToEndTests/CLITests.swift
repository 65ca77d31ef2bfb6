import Foundation
import OrchardJobs
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The shipped `orchard` binary's commands against a real server.
@Suite(.serialized) struct CLITests {
    @Test func keysSubmitJobsAndWatch() async throws {
        let dir = temporaryDataDir("cli")
        let key = try createKey(dataDir: dir, tool: "orchard")
        #expect(key.hasPrefix("ork_") && key.count > 40)
        let server = try ServerProcess(dataDir: dir)
        try await server.waitUntilListening()
        let env = ["ORCHARD_URL": server.baseURL, "ORCHARD_API_KEY": key]

        let (s1, out, err) = try runTool("orchard", ["submit", "test_counter", "--params", #"{"steps": 6, "step_ms": 20}"#,
                                                      "--seed", "4", "--metadata", "who=cli", "--idempotency-key", "once"], env: env)
        #expect(s1 == 0, "\(err)")
        let job = try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))
        let id = try #require(job["id"]?.stringValue)
        #expect(job["metadata"]?["who"] == "cli" && job["seed"] == 4)

        let (s2, watched, werr) = try runTool("orchard", ["watch", id], env: env)
        #expect(s2 == 0, "\(werr)")
        #expect(watched.contains("succeeded") && watched.contains("6/6"))
        // Not a terminal (a pipe here): plain lines, one per event, no cursor escape codes.
        #expect(!watched.contains("\u{1B}") && !watched.contains("\r"), "\(watched)")
        #expect(watched.split(separator: "\n").count >= 3)

        let (_, got, _) = try runTool("orchard", ["jobs", "get", id], env: env)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(got.utf8))["status"] == "succeeded")
        let (_, listed, _) = try runTool("orchard", ["jobs", "list"], env: env)
        #expect(listed.contains(id) && listed.contains("succeeded"))
        let (s3, _, cerr) = try runTool("orchard", ["jobs", "cancel", id], env: env)
        #expect(s3 != 0 && cerr.contains("invalid_state_transition"))
        let (s4, _, aerr) = try runTool("orchard", ["jobs", "list"], env: ["ORCHARD_URL": server.baseURL, "ORCHARD_API_KEY": "ork_bad"])
        #expect(s4 != 0 && aerr.contains("401"))
        let (s5, migrated, _) = try runTool("orchard", ["migrate", "--data-dir", dir.path])
        #expect(s5 == 0 && migrated.contains("0001_init"))
        server.kill(SIGKILL)
    }
}

/// `orchard worker` runs jobs queued through a separate `serve --workers 0` on the same data directory.
@Suite(.serialized) struct SeparateWorkerTests {
    @Test func aSeparateWorkerProcessRunsTheQueue() async throws {
        let dir = temporaryDataDir("worker")
        let key = try createKey(dataDir: dir)
        let server = try ServerProcess(dataDir: dir, extraArgs: ["--workers", "0"])
        try await server.waitUntilListening()
        let api = API(base: server.baseURL, key: key)
        let (_, created) = try await api.call(.POST, "/v1/jobs", ["type": "test_counter", "params": ["steps": 5], "seed": 8])
        let id = try #require(created["id"]?.stringValue)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await api.job(id)["status"] == "queued", "nobody runs it without workers")

        let worker = Process()
        worker.executableURL = try productsDirectory().appendingPathComponent("orchard-testserver")
        worker.arguments = ["worker", "--data-dir", dir.path, "--workers", "1"]
        worker.standardError = FileHandle.nullDevice
        try worker.run()
        defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        try await waitFor("the worker to finish the job") { try await api.job(id)["status"] == "succeeded" }
        kill(worker.processIdentifier, SIGTERM)
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)
        server.kill(SIGKILL)
    }
}

/// `orchard-worker`: the worker runtime built without the HTTP stack runs production jobs queued through the API.
@Suite(.serialized) struct WorkerBinaryTests {
    @Test func orchardWorkerRunsProductionJobsAndLinksNoHTTPServer() async throws {
        let binary = try productsDirectory().appendingPathComponent("orchard-worker")
        let bytes = try Data(contentsOf: binary)
        #expect(bytes.range(of: Data("Hummingbird".utf8)) == nil, "orchard-worker must not link the HTTP server")

        let dir = temporaryDataDir("orchard-worker")
        let key = try createKey(dataDir: dir)
        let server = try ServerProcess(dataDir: dir, extraArgs: ["--workers", "0"])
        try await server.waitUntilListening()
        let env = ["ORCHARD_URL": server.baseURL, "ORCHARD_API_KEY": key]
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/wave1/dpkg-3-sections.jsonl")
        let (s, out, err) = try runTool("orchard", ["datasets", "upload", corpus.path], env: env)
        #expect(s == 0, "\(err)")
        let ds = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))["id"]?.stringValue)
        let api = API(base: server.baseURL, key: key)
        let (_, created) = try await api.call(.POST, "/v1/jobs", ["type": "topic_model", "seed": 3, "params": [
            "dataset": .string(ds), "topics": 3, "vocabulary": ["min_document_frequency": 2, "max_size": 300],
            "anchors": ["min_document_frequency": 2, "document_fraction": 0]]])
        let id = try #require(created["id"]?.stringValue, "\(created)")

        let worker = Process()
        worker.executableURL = binary
        worker.arguments = ["--data-dir", dir.path, "--workers", "1"]
        worker.standardError = FileHandle.nullDevice
        try worker.run()
        defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        try await waitFor("orchard-worker to finish the job", timeout: .seconds(120)) { try await api.job(id)["status"] == "succeeded" }
        #expect(try await api.job(id)["result"]?["topics"] == 3)
        kill(worker.processIdentifier, SIGTERM)
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)
        server.kill(SIGKILL)
    }
}
