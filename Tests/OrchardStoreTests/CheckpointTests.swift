import Foundation
import OrchardJobs
import OrchardQueue
import Testing
@testable import OrchardStore

@Suite struct CheckpointTests {
    func runningContext(_ store: any QueueStore) throws -> QueueJobContext {
        _ = try store.submit(submission())
        let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 60_000).first)
        return QueueJobContext(store: store, lease: c.lease, tenant: c.job.tenant, threads: 2)
    }

    @Test(arguments: StoreBackend.all) func checkpointsAreWrittenAtomicallyWithChecksums(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let ctx = try runningContext(store)
        let payload = Data("weights".utf8)
        let ref = try ctx.saveCheckpoint(step: 4, metrics: ["loss": 1.5]) { dir in
            try payload.write(to: dir.appendingPathComponent("model.safetensors"))
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: dir.appendingPathComponent("sub/state.json"))
        }
        #expect(ref.step == 4 && ref.jobID == ctx.jobID)
        #expect(try Data(contentsOf: ref.directory.appendingPathComponent("model.safetensors")) == payload)
        let indexed = try #require(try store.checkpoint(id: ref.id, tenant: "acme"))
        #expect(indexed.files.map(\.name) == ["model.safetensors", "sub/state.json"])
        #expect(indexed.files[0].sha256 == Fingerprint.sha256(payload) && indexed.files[0].bytes == 7)
        #expect(try store.job(id: ctx.jobID, tenant: nil)?.latestCheckpointID == ref.id)
        #expect(try ctx.latestCheckpoint()?.id == ref.id)
        #expect(try store.checkpoint(id: ref.id, tenant: "other") == nil)
        // Nothing is left in the temporary area.
        let tmp = store.checkpointStorage.url(of: ".tmp")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []).isEmpty)
    }

    @Test(arguments: StoreBackend.all) func aFailedWriteLeavesNoCheckpoint(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let ctx = try runningContext(store)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try ctx.saveCheckpoint(step: 1, metrics: [:]) { dir in
                try Data("partial".utf8).write(to: dir.appendingPathComponent("x"))
                throw Boom()
            }
        }
        #expect(try ctx.latestCheckpoint() == nil)
        let tmp = store.checkpointStorage.url(of: ".tmp")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []).isEmpty)
    }

    @Test(arguments: StoreBackend.all) func retentionKeepsTheLastKAndTheBest(_ backend: StoreBackend) throws {
        let store = try makeStore(backend) { $0.settings.keepLastCheckpoints = 2; $0.settings.bestCheckpointMetric = "loss" }
        let ctx = try runningContext(store)
        let losses: [Double] = [5, 1, 4, 3, 2.5, 6]
        var refs: [CheckpointRef] = []
        for (i, loss) in losses.enumerated() {
            refs.append(try ctx.saveCheckpoint(step: i + 1, metrics: ["loss": loss]) { dir in
                try Data("\(i)".utf8).write(to: dir.appendingPathComponent("w"))
            })
        }
        let kept = try store.checkpoints(jobID: ctx.jobID, tenant: "acme")
        #expect(kept.map(\.step) == [6, 5, 2], "last two (steps 6, 5) and the lowest loss (step 2)")
        for (i, r) in refs.enumerated() {
            #expect(FileManager.default.fileExists(atPath: r.directory.path) == [1, 4, 5].contains(i))
        }
    }

    @Test(arguments: StoreBackend.all) func aCheckpointFromALostLeaseIsRefusedAndRemoved(_ backend: StoreBackend) throws {
        let clock = ManualClock()
        let store = try makeStore(backend, clock: clock)
        _ = try store.submit(submission())
        let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 100).first)
        let ctx = QueueJobContext(store: store, lease: c.lease, tenant: "acme", threads: 1)
        clock.advance(millis: 200)
        try store.reapExpiredLeases()
        #expect(throws: StoreError.leaseLost(jobID: c.job.id)) {
            try ctx.saveCheckpoint(step: 1, metrics: [:]) { try Data("x".utf8).write(to: $0.appendingPathComponent("x")) }
        }
        #expect(ctx.shouldStop && ctx.stopReason == .leaseLost)
        let jobDir = store.checkpointStorage.url(of: c.job.id)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: jobDir.path)) ?? []).isEmpty)
    }
}
