import Foundation
import OrchardJobs
import OrchardQueue
import Testing
@testable import OrchardStore

@Suite struct QueueTests {
    @Test(arguments: StoreBackend.all) func idempotencyKeyReturnsTheSameJobAndRefusesADifferentBody(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let a = try store.submit(submission(key: "k1", fingerprint: "f1"))
        let b = try store.submit(submission(key: "k1", fingerprint: "f1"))
        #expect(!a.replayed && b.replayed && a.job.id == b.job.id)
        #expect(throws: StoreError.idempotencyMismatch(key: "k1")) { try store.submit(submission(key: "k1", fingerprint: "f2")) }
        // Keys are per tenant.
        let c = try store.submit(submission(tenant: "other", key: "k1", fingerprint: "f2"))
        #expect(c.job.id != a.job.id && !c.replayed)
    }

    @Test(arguments: StoreBackend.all) func claimsByPriorityThenScheduleAndGivesAttemptAndLease(_ backend: StoreBackend) throws {
        let clock = ManualClock()
        let store = try makeStore(backend, clock: clock)
        let low = try store.submit(submission(priority: 7)).job
        clock.advance(millis: 10)
        let high = try store.submit(submission(priority: 1)).job
        clock.advance(millis: 10)
        let high2 = try store.submit(submission(priority: 1)).job
        _ = try store.submit(submission(type: "other_type", priority: 0))
        let claimed = try store.claim(owner: "w1", types: ["test_counter"], leaseMillis: 1000, limit: 10)
        #expect(claimed.map(\.job.id) == [high.id, high2.id, low.id])
        #expect(claimed.allSatisfy { $0.job.status == .running && $0.job.attempt == 1 && $0.lease.owner == "w1" })
        #expect(claimed[0].job.leaseExpiresAt == clock.nowMillis() + 1000)
        #expect(try store.claim(owner: "w2", types: ["test_counter"], leaseMillis: 1000).isEmpty)
    }

    @Test(arguments: StoreBackend.all) func concurrentClaimersNeverShareAJob(_ backend: StoreBackend) async throws {
        let store = try makeStore(backend, clock: SystemClock())
        for _ in 0..<60 { _ = try store.submit(submission()) }
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for w in 0..<4 {
                group.addTask {
                    var mine: [String] = []
                    while let c = try store.claim(owner: "w\(w)", types: ["test_counter"], leaseMillis: 60_000).first {
                        mine.append(c.job.id)
                        try store.complete(c.lease, result: .null)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(ids.count == 60 && Set(ids).count == 60)
    }

    @Test(arguments: StoreBackend.all) func everyWorkerWriteIsFencedByTheLease(_ backend: StoreBackend) throws {
        let clock = ManualClock()
        let store = try makeStore(backend, clock: clock)
        let job = try store.submit(submission()).job
        let first = try #require(try store.claim(owner: "w1", types: ["test_counter"], leaseMillis: 1000).first)
        try store.appendEvent(lease: first.lease, type: "note", level: "info", message: "", data: .null)
        clock.advance(millis: 1001)
        #expect(try store.reapExpiredLeases() == 1)
        #expect(try store.job(id: job.id, tenant: nil)?.status == .queued)
        let second = try #require(try store.claim(owner: "w2", types: ["test_counter"], leaseMillis: 1000).first)
        #expect(second.lease.attempt == 2)
        let lost = StoreError.leaseLost(jobID: job.id)
        #expect(throws: lost) { try store.heartbeat(first.lease, leaseMillis: 1000) }
        #expect(throws: lost) { try store.appendEvent(lease: first.lease, type: "note", level: "info", message: "", data: .null) }
        #expect(throws: lost) { try store.updateProgress(first.lease, step: 1, totalSteps: nil, tokens: nil) }
        #expect(throws: lost) { try store.complete(first.lease, result: "stale") }
        #expect(throws: lost) { try store.recordLineage(first.lease, dataset: "ds", documentIDs: ["a"]) }
        try store.complete(second.lease, result: "fresh")
        let done = try #require(try store.job(id: job.id, tenant: nil))
        #expect(done.status == .succeeded && done.result == "fresh" && done.attempt == 2)
    }

    @Test(arguments: StoreBackend.all) func heartbeatsKeepTheLeaseAlive(_ backend: StoreBackend) throws {
        let clock = ManualClock()
        let store = try makeStore(backend, clock: clock)
        _ = try store.submit(submission())
        let c = try #require(try store.claim(owner: "w1", types: ["test_counter"], leaseMillis: 1000).first)
        for _ in 0..<5 {
            clock.advance(millis: 800)
            _ = try store.heartbeat(c.lease, leaseMillis: 1000)
            #expect(try store.reapExpiredLeases() == 0)
        }
    }

    @Test(arguments: StoreBackend.all) func transientFailuresRetryWithBackoffThenFail(_ backend: StoreBackend) throws {
        let clock = ManualClock()
        let store = try makeStore(backend, clock: clock) { $0.settings.retryBaseSeconds = 1; $0.settings.retryJitter = 0.2 }
        let job = try store.submit(submission(maxAttempts: 2)).job
        let c1 = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 1000).first)
        #expect(try store.retryOrFail(c1.lease, failure: JobFailure(code: "io", message: "disk")))
        let queued = try #require(try store.job(id: job.id, tenant: nil))
        let delay = queued.scheduledAt - clock.nowMillis()
        #expect(queued.status == .queued && delay >= 800 && delay <= 1200)
        #expect(queued.error?.code == "io")
        #expect(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 1000).isEmpty, "not claimable during backoff")
        clock.advance(millis: 1201)
        let c2 = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 1000).first)
        #expect(c2.lease.attempt == 2)
        #expect(try !store.retryOrFail(c2.lease, failure: JobFailure(code: "io", message: "disk")))
        let failed = try #require(try store.job(id: job.id, tenant: nil))
        #expect(failed.status == .failed && failed.error?.code == "max_attempts_exceeded" && failed.finishedAt != nil)
    }

    @Test(arguments: StoreBackend.all) func backoffGrowsExponentiallyUpToTheCap(_ backend: StoreBackend) throws {
        let store = try makeStore(backend) { $0.settings.retryBaseSeconds = 2; $0.settings.retryCapSeconds = 10; $0.settings.retryJitter = 0 }
        #expect((1...5).map(store.retryDelayMillis) == [2000, 4000, 8000, 10000, 10000])
    }

    /// Fair accounting: a lost lease is an interruption, not a failure — it does not spend `max_attempts` (a job with one
    /// attempt survives a crash) — and a job that kills its worker every time fails after `maxInterruptions`.
    @Test(arguments: StoreBackend.all) func lostLeasesDoNotSpendAttemptsButAreBounded(_ backend: StoreBackend) throws {
        let clock = ManualClock()
        let store = try makeStore(backend, clock: clock) { $0.settings.maxInterruptions = 3 }
        let job = try store.submit(submission(maxAttempts: 1)).job
        for round in 1...2 {
            _ = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 100).first)
            clock.advance(millis: 101)
            #expect(try store.reapExpiredLeases() == 1)
            let j = try #require(try store.job(id: job.id, tenant: nil))
            #expect(j.status == .queued && j.interruptions == round && j.failures == 0, "round \(round): \(j.status)")
        }
        _ = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 100).first)
        clock.advance(millis: 101)
        #expect(try store.reapExpiredLeases() == 1)
        let failed = try #require(try store.job(id: job.id, tenant: nil))
        #expect(failed.status == .failed && failed.error?.code == "max_interruptions_exceeded" && failed.interruptions == 3)
    }

    /// Pauses and a crash in between do not use up the budget; failures do, across them.
    @Test(arguments: StoreBackend.all) func pausesAndCrashesDoNotSpendTheFailureBudget(_ backend: StoreBackend) throws {
        let clock = ManualClock()
        let store = try makeStore(backend, clock: clock) { $0.settings.retryBaseSeconds = 0.001; $0.settings.retryJitter = 0 }
        let job = try store.submit(submission(maxAttempts: 2)).job
        for _ in 0..<2 {   // paused twice
            let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 1000).first)
            _ = try store.perform(.pause, jobID: job.id, tenant: "acme")
            #expect(try store.stopped(c.lease) == .paused)
            _ = try store.perform(.resume, jobID: job.id, tenant: "acme")
        }
        _ = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 100).first)
        clock.advance(millis: 101)
        #expect(try store.reapExpiredLeases() == 1)   // the server crashed
        let c1 = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 1000).first)
        #expect(try store.retryOrFail(c1.lease, failure: JobFailure(code: "io", message: "disk")), "the first failure is retried")
        clock.advance(millis: 10)
        let c2 = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 1000).first)
        #expect(try !store.retryOrFail(c2.lease, failure: JobFailure(code: "io", message: "disk")))
        let failed = try #require(try store.job(id: job.id, tenant: nil))
        #expect(failed.status == .failed && failed.error?.code == "max_attempts_exceeded" && failed.failures == 2 && failed.interruptions == 1)
        #expect(failed.attempt == 5, "attempt still counts the starts")
    }

    @Test(arguments: StoreBackend.all) func deadLocalOwnersAreReclaimedWithoutWaitingForTheLease(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let job = try store.submit(submission()).job
        let ghost = "\(ProcessLiveness.hostName):999999:abcd"  // no such pid
        _ = try store.claim(owner: ghost, types: ["test_counter"], leaseMillis: 3_600_000)
        #expect(try store.reapExpiredLeases() == 0)
        #expect(try store.reapExpiredLeases(isDead: ProcessLiveness.isDeadLocalOwner) == 1)
        #expect(try store.job(id: job.id, tenant: nil)?.status == .queued)
    }

    @Test(arguments: StoreBackend.all) func actionsAreIdempotentAndRefuseImpossibleTransitions(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let a = try store.submit(submission()).job
        #expect(try store.perform(.cancel, jobID: a.id, tenant: "acme").status == .cancelled)
        #expect(try store.perform(.cancel, jobID: a.id, tenant: "acme").status == .cancelled)
        #expect(throws: StoreError.invalidTransition(id: a.id, from: "cancelled", action: "resume")) {
            try store.perform(.resume, jobID: a.id, tenant: "acme")
        }
        #expect(throws: StoreError.notFound(kind: "job", id: a.id)) { try store.perform(.cancel, jobID: a.id, tenant: "other") }

        let b = try store.submit(submission()).job
        let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 10_000).first)
        #expect(c.job.id == b.id)
        let pausing = try store.perform(.pause, jobID: b.id, tenant: "acme")
        #expect(pausing.status == .running && pausing.pauseRequestedAt != nil)
        #expect(try store.control(c.lease) == JobControl(cancelRequested: false, pauseRequested: true))
        #expect(try store.stopped(c.lease) == .paused)
        #expect(try store.perform(.pause, jobID: b.id, tenant: "acme").status == .paused)
        #expect(try store.perform(.resume, jobID: b.id, tenant: "acme").status == .queued)
        #expect(try store.perform(.resume, jobID: b.id, tenant: "acme").status == .queued)
        let c2 = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 10_000).first)
        _ = try store.perform(.cancel, jobID: b.id, tenant: "acme")
        #expect(throws: StoreError.invalidTransition(id: b.id, from: "running", action: "pause")) {
            try store.perform(.pause, jobID: b.id, tenant: "acme")
        }
        #expect(try store.stopped(c2.lease) == .cancelled)
        let done = try store.submit(submission()).job
        let c3 = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 10_000).first)
        try store.complete(c3.lease, result: .null)
        #expect(throws: StoreError.invalidTransition(id: done.id, from: "succeeded", action: "cancel")) {
            try store.perform(.cancel, jobID: done.id, tenant: "acme")
        }
    }

    @Test(arguments: StoreBackend.all) func releaseOnDrainRequeuesWithoutSpendingAnAttempt(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let job = try store.submit(submission(maxAttempts: 1)).job
        let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 10_000).first)
        #expect(try store.stopped(c.lease) == .requeued)
        let again = try #require(try store.claim(owner: "w2", types: ["test_counter"], leaseMillis: 10_000).first)
        #expect(again.job.id == job.id && again.lease.attempt == 1)
    }

    /// A cancel is never undone by what happens to the runner afterwards: a release (drain timeout, e.g. a worker that
    /// got Slurm's SIGTERM after the cancel and did not stop in time) or the death of the process that held the lease
    /// ends the job `cancelled`, not queued again (and not failed by the interruption bound).
    @Test(arguments: StoreBackend.all) func aCancelledJobWhoseRunnerIsReleasedOrDiesEndsCancelled(_ backend: StoreBackend) throws {
        let clock = ManualClock()
        let store = try makeStore(backend, clock: clock)
        let a = try store.submit(submission()).job, b = try store.submit(submission()).job
        let leases = try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 1000, limit: 2).map(\.lease)
        #expect(leases.count == 2)
        for id in [a.id, b.id] { _ = try store.perform(.cancel, jobID: id, tenant: "acme") }
        try store.release(try #require(leases.first { $0.jobID == a.id }))
        clock.advance(millis: 1001)
        #expect(try store.reapExpiredLeases() == 1)
        for id in [a.id, b.id] {
            let job = try #require(try store.job(id: id, tenant: "acme"))
            #expect(job.status == .cancelled && job.finishedAt != nil && job.interruptions == 0, "\(job)")
            let types = try store.events(jobID: id, tenant: "acme", after: 0, limit: 100).events.map(\.type)
            #expect(types.filter { $0 == "job.cancelled" }.count == 1 && !types.contains("job.released") && !types.contains("job.lease_expired"))
        }
        #expect(try store.claim(owner: "w2", types: ["test_counter"], leaseMillis: 1000, limit: 2).isEmpty)
    }

    @Test(arguments: StoreBackend.all) func eventsAreNumberedPerJobWithoutGaps(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let job = try store.submit(submission()).job
        let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 10_000).first)
        for i in 0..<10 { try store.appendEvent(lease: c.lease, type: "metrics", level: "info", message: "", data: ["i": .number(Double(i))]) }
        try store.complete(c.lease, result: .null)
        let all = try store.events(jobID: job.id, tenant: "acme", after: 0, limit: 1000)
        #expect(all.events.map(\.seq) == Array(1...13))
        #expect(all.events.first?.type == QueueEventType.queued && all.events.last?.type == QueueEventType.succeeded)
        let page = try store.events(jobID: job.id, tenant: "acme", after: 5, limit: 3)
        #expect(page.events.map(\.seq) == [6, 7, 8] && page.hasMore && page.status == .succeeded)
        #expect(throws: StoreError.notFound(kind: "job", id: job.id)) { try store.events(jobID: job.id, tenant: "x", after: 0, limit: 1) }
    }

    /// `submit` and `claim` build their jobs without reading the row back; the lifecycle events carry their data.
    @Test(arguments: StoreBackend.all) func submitAndClaimReturnTheStoredJobsAndLifecycleEventsCarryTheirData(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let submitted = try store.submit(submission(params: ["steps": 3, "name": "a/b \"c\""], key: "k", fingerprint: "f")).job
        #expect(try store.job(id: submitted.id, tenant: "acme") == submitted)
        let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 10_000).first)
        #expect(try store.job(id: submitted.id, tenant: "acme") == c.job)
        try store.complete(c.lease, result: ["loss": 0.25, "path": "x/y"])
        let failing = try store.submit(submission()).job
        let f = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 10_000).first)
        #expect(f.job.id == failing.id)
        let failure = JobFailure(code: "bad", message: "it broke", param: "steps")
        try store.fail(f.lease, failure: failure)

        let done = try store.events(jobID: submitted.id, tenant: "acme", after: 0, limit: 10).events
        #expect(done.map(\.type) == [QueueEventType.queued, QueueEventType.started, QueueEventType.succeeded])
        #expect(done.map(\.data) == [["type": "test_counter"], ["attempt": 1], ["status": "succeeded", "result": ["loss": 0.25, "path": "x/y"]]])
        let failed = try store.events(jobID: failing.id, tenant: "acme", after: 0, limit: 10).events
        #expect(failed.last?.data == ["status": "failed", "error": failure.json])
        #expect(failed.last?.level == "error" && failed.last?.message == "it broke")
        #expect(try store.job(id: failing.id, tenant: "acme")?.error == failure)
    }

    @Test(arguments: StoreBackend.all) func listingIsNewestFirstWithCursorAndFilters(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        var ids: [String] = []
        for i in 0..<5 {
            var s = submission()
            s.metadata = ["run": i % 2 == 0 ? "even" : "odd"]
            ids.append(try store.submit(s).job.id)
        }
        _ = try store.submit(submission(tenant: "other"))
        var q = JobListQuery(tenant: "acme")
        q.limit = 2
        let p1 = try store.listJobs(q)
        #expect(p1.jobs.map(\.id) == [ids[4], ids[3]] && p1.hasMore)
        q.after = ids[3]
        let p2 = try store.listJobs(q)
        #expect(p2.jobs.map(\.id) == [ids[2], ids[1]] && p2.hasMore)
        q = JobListQuery(tenant: "acme")
        q.metadata = ["run": "odd"]
        #expect(try store.listJobs(q).jobs.map(\.id) == [ids[3], ids[1]])
        _ = try store.perform(.cancel, jobID: ids[0], tenant: "acme")
        q = JobListQuery(tenant: "acme")
        q.status = .cancelled
        #expect(try store.listJobs(q).jobs.map(\.id) == [ids[0]])
        #expect(try store.queueDepth()[.queued] == 5)
    }
}
