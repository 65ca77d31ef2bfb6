import AsyncHTTPClient
import Foundation
import OrchardJobs
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real server binary, killed mid-job and restarted (issue 2, item 6).
@Suite(.serialized) struct CrashRecoveryTests {
    let params: JSONValue = ["steps": 40, "checkpoint_every": 5, "step_ms": 40]

    @Test func aJobSurvivesSIGKILLAndFinishesExactlyOnceFromItsCheckpoint() async throws {
        let dir = temporaryDataDir("crash")
        let key = try createKey(dataDir: dir)
        var server = try ServerProcess(dataDir: dir)
        try await server.waitUntilListening()
        var api = API(base: server.baseURL, key: key)
        let (code, created) = try await api.call(.POST, "/v1/jobs", ["type": "test_counter", "params": params, "seed": 99])
        #expect(code == 201)
        let id = try #require(created["id"]?.stringValue)

        // Let it pass at least two checkpoints, then read part of the stream and kill the server.
        try await waitFor("step 12") { try await api.job(id)["progress"]?["step"]?.intValue ?? 0 >= 12 }
        let before = try await api.allEvents(id)
        server.kill(SIGKILL)
        _ = try await server.waitForExit(timeout: .seconds(10))
        let stepsSeen = before.compactMap { $0["data"]?["step"]?.intValue }
        let stepAtKill = try #require(stepsSeen.max())

        server = try ServerProcess(dataDir: dir)
        try await server.waitUntilListening()
        api = API(base: server.baseURL, key: key)
        let lastSeen = try #require(before.last?["id"]?.intValue)
        // Resume the stream where the first server left it: nothing lost, nothing repeated.
        let resumed = try await api.stream(id, lastEventID: lastSeen)
        #expect(resumed.last?.1 == "end")
        let resumedIDs = resumed.map { $0.0 }.filter { $0 > 0 }
        #expect(resumedIDs == Array((lastSeen + 1)...(lastSeen + resumedIDs.count)))

        let job = try await api.job(id)
        #expect(job["status"] == "succeeded")
        #expect(job["attempt"] == 2, "re-claimed once after the crash")
        let events = try await api.allEvents(id)
        let seqs = events.compactMap { $0["id"]?.intValue }
        #expect(seqs == Array(1...seqs.count), "no gaps, no duplicates")
        #expect(Array(seqs.prefix(before.count)) == before.compactMap { $0["id"]?.intValue })
        #expect(events.filter { $0["type"] == "job.succeeded" }.count == 1, "finished exactly once")
        #expect(events.filter { $0["type"] == "job.started" }.count == 2)
        let resumedFrom = try #require(events.first { $0["type"] == "resumed" }?["data"]?["step"]?.intValue)
        // The newest checkpoint the first attempt wrote before it was killed.
        let savedBeforeKill = events.filter { $0["type"] == "checkpoint.saved" && $0["attempt"] == 1 }.compactMap { $0["data"]?["step"]?.intValue }
        #expect(resumedFrom >= 10 && resumedFrom >= stepAtKill - 5 && resumedFrom == savedBeforeKill.max(),
                "resumed from its latest checkpoint, not step 0")

        // The same job, uninterrupted, gives the same result.
        let (_, ref) = try await api.call(.POST, "/v1/jobs", ["type": "test_counter", "params": params, "seed": 99])
        let refID = try #require(ref["id"]?.stringValue)
        try await waitFor("reference run") { try await api.job(refID)["status"] == "succeeded" }
        let reference = try await api.job(refID)
        #expect(reference["attempt"] == 1)
        #expect(job["result"] == reference["result"])
        #expect(job["result"]?["value"]?.stringValue == "\(expected(seed: 99, steps: 40))")
        server.kill(SIGKILL)
    }

    @Test func sigtermDrainsRunningJobsBackToQueuedWithinThirtySeconds() async throws {
        let dir = temporaryDataDir("drain")
        let key = try createKey(dataDir: dir)
        var server = try ServerProcess(dataDir: dir)
        try await server.waitUntilListening()
        var api = API(base: server.baseURL, key: key)
        let (_, created) = try await api.call(.POST, "/v1/jobs", ["type": "test_counter", "params": ["steps": 1000, "checkpoint_every": 1000, "step_ms": 20], "seed": 5])
        let id = try #require(created["id"]?.stringValue)
        try await waitFor("step 5") { try await api.job(id)["progress"]?["step"]?.intValue ?? 0 >= 5 }
        server.kill(SIGTERM)
        let took = try await server.waitForExit(timeout: .seconds(30))
        #expect(took < .seconds(30))
        #expect(server.process.terminationStatus == 0, "\(server.output)")

        server = try ServerProcess(dataDir: dir, extraArgs: ["--workers", "0"])
        try await server.waitUntilListening()
        api = API(base: server.baseURL, key: key)
        let job = try await api.job(id)
        #expect(job["status"] == "queued")
        #expect(job["latest_checkpoint_id"]?.stringValue != nil, "checkpointed before it went back to the queue")
        let events = try await api.allEvents(id)
        #expect(events.last?["type"] == "job.released")
        server.kill(SIGKILL)
    }

    func expected(seed: UInt64, steps: Int) -> UInt64 {
        func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var v = seed
        for s in 1...steps { v = mix(v ^ UInt64(s)) }
        return v
    }
}
