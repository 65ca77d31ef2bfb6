import Foundation
import Logging
import OrchardQueue
import ServiceLifecycle

/// Hands the jobs of `"backend": "slurm"` to Slurm and follows them; the store stays the source of truth.
///
/// Every `pollInterval` it reads the jobs of the back end that are unfinished or have a live submission, and one
/// `squeue -t all` of this user's Slurm jobs, then per job:
/// - queued, due, no live submission → reserve a submission in the store (at most one live per job, also with several
///   dispatchers on one database), write the batch script, `sbatch --parsable`, record the id (`backend_ref`);
///   a failed `sbatch` ends the reservation with a backoff, and `maxUnstartedSubmissions` in a row fail the job;
/// - live submission still in Slurm → record its state and reason when they change; `scancel` it when the job was
///   cancelled (the intent is recorded first by the API, so a SIGTERM-ed worker ends the job `cancelled`, not failed)
///   or, still pending in Slurm, when the job no longer needs it (finished or paused);
/// - live submission finished or forgotten by Slurm → end it in the store; if the job was still `running` under that
///   submission's worker (node lost, job killed, external `scancel` whose worker could not drain), its lease is
///   reclaimed at once (an interruption: queued again, resumed from its checkpoint by the next submission);
/// - a reservation with no id for `staleReservation` (its dispatcher died mid-submit) → adopted by job name if Slurm
///   has it, else ended.
/// If `squeue` fails (controller unreachable), nothing is concluded about any submission that period.
public final class SlurmDispatcher: Service, @unchecked Sendable {
    let store: any QueueStore
    let configuration: SlurmConfiguration
    let slurm: SlurmCommands
    let logger: Logger
    let startGate: StartGate
    /// Submissions this process already sent `scancel` (once each).
    private var cancelled = Set<String>()

    public init(store: any QueueStore, configuration: SlurmConfiguration, slurm: SlurmCommands = SlurmCommands(),
                logger: Logger = Logger(label: "orchard.slurm"), startGate: StartGate = StartGate(open: true)) {
        self.store = store; self.configuration = configuration; self.slurm = slurm; self.logger = logger; self.startGate = startGate
    }

    public func run() async throws {
        try FileManager.default.createDirectory(at: configuration.scriptDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        if let out = configuration.outputDirectory { try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true) }
        try await runPeriodically(every: configuration.pollInterval, after: startGate, logger: logger, failure: "slurm dispatch failed") {
            try await self.store.offload { try self.dispatchOnce() }
        }
    }

    /// One pass over the back end's jobs (blocking: store writes and Slurm commands).
    public func dispatchOnce() throws {
        let jobs = try store.backendJobs(backend: ExecutionBackendName.slurm)
        guard !jobs.isEmpty else { return }
        let needsQueue = jobs.contains { $0.backendLive }
        let queue: [String: SlurmJobState]?
        do { queue = needsQueue ? try slurm.queue() : [:] } catch {
            logger.warning("squeue failed; submission states not updated", metadata: ["error": "\(error)"])
            queue = nil
        }
        var deadOwners = Set<String>()
        for job in jobs {
            do {
                if job.backendLive {
                    guard let queue else { continue }
                    if let ref = job.backendRef, job.backendState != "SUBMITTING" {
                        follow(job, ref: ref, slurmState: queue[ref], deadOwners: &deadOwners)
                    } else {
                        try reconcileReservation(job)
                    }
                } else if job.status == .running, let owner = job.leaseOwner {
                    // Its submission was seen to end (a claim needs a live one), so its worker is gone: a reclaim that
                    // did not happen when the end was recorded (the row was locked, the process stopped) happens now.
                    deadOwners.insert(owner)
                } else if job.status == .queued && queue != nil {
                    try submit(job)   // not while squeue fails: the controller is likely down, and sbatch would fail too
                }
            } catch {
                logger.error("slurm dispatch of a job failed", metadata: ["job_id": "\(job.id)", "error": "\(error)"])
            }
        }
        if !deadOwners.isEmpty {
            let n = try store.reapExpiredLeases(isDead: { deadOwners.contains($0) })
            if n > 0 { logger.notice("reclaimed jobs whose Slurm job ended under them", metadata: ["jobs": "\(n)"]) }
        }
    }

    private func follow(_ job: Job, ref: String, slurmState: SlurmJobState?, deadOwners: inout Set<String>) {
        do {
            guard let s = slurmState, !s.isFinished else {
                // Ended (or forgotten by Slurm after MinJobAge): none of its processes runs any more.
                if job.status == .running, let owner = job.leaseOwner { deadOwners.insert(owner) }
                try store.recordBackendState(jobID: job.id, ref: ref, state: slurmState?.state ?? "ENDED",
                                             reason: slurmState?.reason, live: false, retryAfterMillis: nil)
                cancelled.remove(ref)
                return
            }
            if job.backendState != s.state || job.backendReason != s.reason {
                try store.recordBackendState(jobID: job.id, ref: ref, state: s.state, reason: s.reason, live: true, retryAfterMillis: nil)
            }
            let cancelRunning = job.status == .running && job.cancelRequestedAt != nil
            let useless = (job.status.isTerminal || job.status == .paused) && s.isPending
            // Queued again while this submission's worker (which had claimed it: nothing unstarted) still runs: the
            // worker lost its lease (hung, or too slow to heartbeat) and will not claim again; end it so that a new
            // submission can run the job.
            let stranded = job.status == .queued && job.backendUnstarted == 0 && !s.isPending
            if (cancelRunning || useless || stranded) && !cancelled.contains(ref) {
                try slurm.cancel(ref)
                cancelled.insert(ref)
                logger.info("scancel", metadata: ["job_id": "\(job.id)", "slurm_job": "\(ref)", "status": "\(job.status.rawValue)"])
            }
        } catch {
            logger.error("following a Slurm job failed", metadata: ["job_id": "\(job.id)", "slurm_job": "\(ref)", "error": "\(error)"])
        }
    }

    private func submit(_ job: Job) throws {
        guard job.scheduledAt <= store.clock.nowMillis() else { return }
        guard case .reserved(let n) = try store.reserveSubmission(jobID: job.id, maxSubmissions: configuration.maxUnstartedSubmissions)
        else { return }
        let script = SlurmBatchScript(jobID: job.id, submission: n, cpusPerTask: job.threads ?? configuration.defaultCPUsPerTask,
                                      configuration: configuration)
        let url = configuration.scriptDirectory.appendingPathComponent("\(script.jobName).sh")
        do {
            // The script names the database (its URL may hold a password): created readable by its owner only, in a
            // directory only its owner can list.
            try SlurmBatchScript.writePrivately(script.text, to: url)
            let ref = try slurm.submit(options: script.sbatchArguments, script: url)
            if try store.recordSubmission(jobID: job.id, submission: n, ref: ref, state: "PENDING") {
                logger.info("submitted to Slurm", metadata: ["job_id": "\(job.id)", "slurm_job": "\(ref)", "submission": "\(n)"])
            } else {
                try? slurm.cancel(ref)   // the reservation was reconciled away meanwhile: this submission is not wanted
            }
        } catch {
            let delay = RetryBackoff(baseSeconds: 2, capSeconds: 60, jitter: 0.2).delayMillis(attempt: n)
            logger.error("sbatch failed", metadata: ["job_id": "\(job.id)", "error": "\(error)"])
            try store.recordBackendState(jobID: job.id, ref: nil, state: "SUBMIT_FAILED", reason: "\(error)", live: false,
                                         retryAfterMillis: delay)
        }
    }

    /// A reservation without an id: normal while its `sbatch` runs; after `staleReservation` its dispatcher is
    /// presumed dead, and the submission is found by its job name or ended.
    private func reconcileReservation(_ job: Job) throws {
        let age = store.clock.nowMillis() - (job.backendUpdatedAt ?? 0)
        guard age > configuration.staleReservation.millis else { return }
        let name = configuration.jobName(jobID: job.id, submission: job.backendSubmissions)
        if let found = try slurm.jobs(named: name).sorted(by: { $0.id < $1.id }).last {
            try store.recordSubmission(jobID: job.id, submission: job.backendSubmissions, ref: found.id, state: found.state)
        } else {
            try store.recordBackendState(jobID: job.id, ref: nil, state: "SUBMIT_LOST",
                                         reason: "no Slurm job named \(name) \(age / 1000) s after the reservation", live: false,
                                         retryAfterMillis: nil)
        }
    }
}
