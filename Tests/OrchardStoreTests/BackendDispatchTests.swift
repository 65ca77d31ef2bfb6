import Foundation
import OrchardJobs
import OrchardQueue
import Testing

/// The store's side of execution back ends (`BackendDispatchStore`), on both back ends: a Slurm job is never claimed by
/// a local worker; at most one live submission per job, also when two dispatchers race; only the current submission's
/// worker claims it; a run of submissions whose worker never started fails the job, while submissions that did start
/// (pauses, drains, lost nodes) do not count; the submission's life is in the job's events.
@Suite struct BackendDispatchTests {
    func slurmSubmission(threads: Int? = nil) -> JobSubmission {
        var s = submission()
        s.backend = ExecutionBackendName.slurm
        s.threads = threads
        return s
    }

    @Test(arguments: StoreBackend.all)
    func aSlurmJobIsNeverClaimedByALocalWorkerAndOnlyByItsCurrentSubmission(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let job = try store.submit(slurmSubmission(threads: 3)).job
        #expect(job.backend == "slurm" && job.threads == 3 && job.backendRef == nil && !job.backendLive)
        let local = try store.submit(submission()).job
        #expect(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 1000, limit: 10).map(\.job.id) == [local.id])
        #expect(try store.backendJobs(backend: "slurm").map(\.id) == [job.id])
        #expect(try store.backendJobs(backend: "local").isEmpty, "the local back end has no dispatcher")

        #expect(try store.reserveSubmission(jobID: job.id, maxSubmissions: 5) == .reserved(submission: 1))
        #expect(try store.reserveSubmission(jobID: job.id, maxSubmissions: 5) == .notReady, "one live submission at a time")
        #expect(try store.reserveSubmission(jobID: local.id, maxSubmissions: 5) == .notReady)
        #expect(try store.recordSubmission(jobID: job.id, submission: 1, ref: "101", state: "PENDING"))
        #expect(try !store.recordSubmission(jobID: job.id, submission: 1, ref: "102", state: "PENDING"), "recorded once")
        #expect(try store.claim(jobID: job.id, backendRef: "999", owner: "stale", leaseMillis: 1000) == nil,
                "a worker of another submission does not get the job")
        let claimed = try #require(try store.claim(jobID: job.id, backendRef: "101", owner: "slurm-101", leaseMillis: 1000))
        #expect(claimed.job.status == .running && claimed.job.attempt == 1 && claimed.job.backendRef == "101")
        #expect(try store.claim(jobID: job.id, backendRef: "101", owner: "again", leaseMillis: 1000) == nil, "claimed once")
        try store.complete(claimed.lease, result: ["ok": true])

        // A finished job with a live submission is still followed, until its submission ends.
        #expect(try store.backendJobs(backend: "slurm").map(\.id) == [job.id])
        try store.recordBackendState(jobID: job.id, ref: "101", state: "RUNNING", reason: nil, live: true, retryAfterMillis: nil)
        try store.recordBackendState(jobID: job.id, ref: "101", state: "COMPLETED", reason: nil, live: false, retryAfterMillis: nil)
        try store.recordBackendState(jobID: job.id, ref: "101", state: "COMPLETED", reason: nil, live: false, retryAfterMillis: nil)
        #expect(try store.backendJobs(backend: "slurm").isEmpty)
        let done = try #require(try store.job(id: job.id, tenant: "acme"))
        #expect(done.backendState == "COMPLETED" && !done.backendLive && done.backendSubmissions == 1 && done.backendRef == "101")
        let types = try store.events(jobID: job.id, tenant: "acme", after: 0, limit: 100).events.map(\.type)
        #expect(types == ["job.queued", "job.backend_submitted", "job.started", "job.succeeded", "job.backend_ended"])
    }

    @Test(arguments: StoreBackend.all)
    func twoDispatchersReservingAtOnceMakeOneSubmission(_ backend: StoreBackend) async throws {
        let store = try makeStore(backend, clock: SystemClock())
        let ids = try (0..<20).map { _ in try store.submit(slurmSubmission()).job.id }
        let reserved = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try ids.reduce(0) { n, id in
                        n + (try store.reserveSubmission(jobID: id, maxSubmissions: 5) == .reserved(submission: 1) ? 1 : 0)
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(reserved == ids.count, "each job reserved exactly once by four racing dispatchers")
    }

    @Test(arguments: StoreBackend.all)
    func submissionsWhoseWorkerNeverStartedFailTheJobButStartedOnesDoNotCount(_ backend: StoreBackend) throws {
        let clock = ManualClock()
        let store = try makeStore(backend, clock: clock)
        let id = try store.submit(slurmSubmission()).job.id
        // Two submissions that started (a drain each): they do not count toward the bound of 2.
        for n in 1...2 {
            #expect(try store.reserveSubmission(jobID: id, maxSubmissions: 2) == .reserved(submission: n))
            try store.recordSubmission(jobID: id, submission: n, ref: "\(n)", state: "PENDING")
            let c = try #require(try store.claim(jobID: id, backendRef: "\(n)", owner: "w\(n)", leaseMillis: 1000))
            try store.release(c.lease)
            try store.recordBackendState(jobID: id, ref: "\(n)", state: "CANCELLED", reason: nil, live: false, retryAfterMillis: nil)
        }
        // A failed sbatch (no id: the cluster's problem, not the job's), with a retry delay: not due before it, not counted.
        #expect(try store.reserveSubmission(jobID: id, maxSubmissions: 2) == .reserved(submission: 3))
        try store.recordBackendState(jobID: id, ref: nil, state: "SUBMIT_FAILED", reason: "sbatch: error: invalid partition",
                                     live: false, retryAfterMillis: 5000)
        #expect(try store.reserveSubmission(jobID: id, maxSubmissions: 2) == .notReady, "backoff")
        clock.advance(millis: 5001)
        // A submission cancelled while pending because the job was paused: not counted either.
        #expect(try store.reserveSubmission(jobID: id, maxSubmissions: 2) == .reserved(submission: 4))
        try store.recordSubmission(jobID: id, submission: 4, ref: "4", state: "PENDING")
        _ = try store.perform(.pause, jobID: id, tenant: "acme")
        try store.recordBackendState(jobID: id, ref: "4", state: "CANCELLED", reason: nil, live: false, retryAfterMillis: nil)
        _ = try store.perform(.resume, jobID: id, tenant: "acme")
        // Two that ended while the job waited for them (the worker could not start): the second reaches the bound.
        for n in 5...6 {
            #expect(try store.reserveSubmission(jobID: id, maxSubmissions: 2) == .reserved(submission: n))
            try store.recordSubmission(jobID: id, submission: n, ref: "\(n)", state: "PENDING")
            #expect(try store.claim(jobID: id, backendRef: "4", owner: "late", leaseMillis: 1000) == nil,
                    "a worker of an ended submission cannot claim")
            try store.recordBackendState(jobID: id, ref: "\(n)", state: "FAILED", reason: "NonZeroExitCode", live: false, retryAfterMillis: nil)
        }
        #expect(try store.reserveSubmission(jobID: id, maxSubmissions: 2) == .failed)
        let job = try #require(try store.job(id: id, tenant: "acme"))
        #expect(job.status == .failed && job.error?.code == "backend_submissions_exceeded")
        #expect(job.error?.message.contains("ended FAILED: NonZeroExitCode") == true, "\(job.error?.message ?? "")")
        #expect(try store.backendJobs(backend: "slurm").isEmpty)
    }
}
