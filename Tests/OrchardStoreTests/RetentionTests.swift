import Foundation
import OrchardJobs
import OrchardQueue
import Testing

/// Retention (issue 19 item 9): old runner events and old unreferenced jobs go, with their checkpoint files; models
/// with data lineage, their versions and anything an unfinished job names stay; unindexed directories go after a grace.
@Suite struct RetentionTests {
    let day: Int64 = 86_400_000

    /// Runs one job to the end under `owner`, with a metrics event and a checkpoint directory of one file.
    func finish(_ store: any QueueStore, _ s: JobSubmission, lineage: [String] = []) throws -> (id: String, checkpoint: String) {
        let id = try store.submit(s).job.id
        let claimed = try #require(try store.claim(owner: "w", types: [s.type], leaseMillis: 60_000, limit: 10).first { $0.job.id == id })
        _ = try store.appendEvent(lease: claimed.lease, type: "metrics", level: "info", message: "", data: ["step": 1])
        if !lineage.isEmpty { try store.recordLineage(claimed.lease, dataset: "ds_1", documentIDs: lineage) }
        let storage = store.checkpointStorage
        let ckpt = "ckpt_\(UUID().uuidString.prefix(8))"
        let tmp = try storage.makeTemporaryDirectory(id: ckpt)
        try Data("{}".utf8).write(to: tmp.appendingPathComponent("state.json"))
        let files = try storage.seal(tmp)
        let path = try storage.publish(tmp, jobID: id, id: ckpt)
        _ = try store.indexCheckpoint(lease: claimed.lease, id: ckpt, step: 1, metrics: [:], files: files, path: path, pinned: false)
        _ = try store.complete(claimed.lease, result: .null)
        return (id, path)
    }

    @Test(arguments: StoreBackend.all) func oldEventsAndOldUnreferencedJobsGoWhileModelsWithLineageStay(_ backend: StoreBackend) throws {
        let clock = ManualClock()
        let store = try makeStore(backend, clock: clock)
        let plain = try finish(store, submission(key: "k1", fingerprint: "f"))
        let model = try finish(store, submission(), lineage: ["a", "b"])
        // A finished job that an unfinished one names in its params.
        let parent = try finish(store, submission())
        let storage = store.checkpointStorage
        clock.advance(millis: 10 * day)
        let recent = try finish(store, submission())
        _ = try store.submit(submission(params: ["steps": 3, "model": .string(parent.id)]))

        let report = try store.applyRetention(RetentionPolicy(eventsDays: 7, jobsDays: 30), nowMillis: clock.nowMillis())
        #expect(report.jobs == 0 && report.events == 6, "\(report)")   // metrics and checkpoint.saved of the three old jobs
        for id in [plain.id, model.id, parent.id] {
            let types = try store.events(jobID: id, tenant: "acme", after: 0, limit: 100).events.map(\.type)
            #expect(!types.isEmpty && types.allSatisfy { $0.hasPrefix("job.") }, "\(types)")
        }
        #expect(try store.events(jobID: recent.id, tenant: "acme", after: 0, limit: 100).events.contains { $0.type == "metrics" })

        clock.advance(millis: 25 * day)
        let (swept, orphans) = try RetentionService.sweep(store: store, policy: RetentionPolicy(eventsDays: 7, jobsDays: 30),
                                                          now: Date(timeIntervalSince1970: Double(clock.nowMillis()) / 1000))
        // Only the plain job is both old enough and unreferenced: the model carries lineage, the parent is named by a
        // queued job, the recent one is 25 days old.
        #expect(swept.jobs == 1 && swept.checkpointPaths == [plain.checkpoint], "\(swept)")
        #expect(orphans == 0)
        #expect(try store.job(id: plain.id, tenant: "acme") == nil)
        #expect((try? store.events(jobID: plain.id, tenant: "acme", after: 0, limit: 10))?.events.isEmpty ?? true)
        #expect(!FileManager.default.fileExists(atPath: storage.url(of: plain.checkpoint).path))
        for kept in [model, parent, recent] {
            #expect(try store.job(id: kept.id, tenant: "acme") != nil)
            #expect(FileManager.default.fileExists(atPath: storage.url(of: kept.checkpoint).path))
        }
        // The deleted job's idempotency key is free again.
        #expect(try store.submit(submission(key: "k1", fingerprint: "other")).replayed == false)
    }

    @Test(arguments: StoreBackend.all) func checkpointDirectoriesThatNoRowNamesAreRemovedAfterTheGrace(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let kept = try finish(store, submission())
        let storage = store.checkpointStorage
        // A directory published by a writer that crashed before indexing it.
        let tmp = try storage.makeTemporaryDirectory(id: "ckpt_orphan")
        try Data("{}".utf8).write(to: tmp.appendingPathComponent("state.json"))
        let orphan = try storage.publish(tmp, jobID: "job_gone", id: "ckpt_orphan")
        let policy = RetentionPolicy()
        // Within the grace period nothing is touched (a writer may be about to index it).
        #expect(try RetentionService.sweep(store: store, policy: policy, now: Date()).1 == 0)
        #expect(FileManager.default.fileExists(atPath: storage.url(of: orphan).path))
        let later = Date().addingTimeInterval(2 * 3600)
        let (report, removed) = try RetentionService.sweep(store: store, policy: policy, now: later)
        #expect(removed == 1 && report == RetentionReport())
        #expect(!FileManager.default.fileExists(atPath: storage.url(of: orphan).path))
        #expect(FileManager.default.fileExists(atPath: storage.url(of: kept.checkpoint).path))
    }
}
