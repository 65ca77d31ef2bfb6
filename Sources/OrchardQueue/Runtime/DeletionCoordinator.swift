import Foundation
import Logging
import OrchardJobs
import OrchardTensor
import ServiceLifecycle

/// Drives deletion requests: for each affected model, asks the job-kind registry how that kind's models are
/// unlearned, queues the unlearning job through the ordinary submission path (one per model at a time, oldest
/// request first), reads the job's typed outcome when it ends, and closes the request with its receipt.
///
/// Every write is conditional on the snapshot it came from (`DeletionRequestStore`), so running it twice, or in
/// two processes, never queues a job twice or records an outcome twice; a restart repeats only recorded work.
public struct DeletionCoordinator: Sendable {
    public let store: any QueueStore
    public let registry: JobKindRegistry

    public init(store: any QueueStore, registry: JobKindRegistry) { self.store = store; self.registry = registry }

    /// Advances every open request one step; returns how many changed.
    @discardableResult
    public func advanceAll() throws -> Int {
        var changed = 0
        let ids = try store.openDeletionRequestIDs()
        // Requests are advanced oldest first. A model is held from a request's unlearning while a queued or running job
        // reads it, or while an older request still has a model derived from it waiting (that child reads the
        // parent's version first, in request order).
        // One snapshot of each request before the loop and one after advancing it: O(requests) reads per tick.
        var reads: [String: Set<String>] = [:]
        for id in ids { reads[id] = try held(by: id).reads }
        var waitingChildrenRead = Set<String>()
        for id in ids {
            let read = reads.values.reduce(into: waitingChildrenRead) { $0.formUnion($1) }
            if try advance(id, read: read) { changed += 1 }
            let after = try held(by: id)
            reads[id] = after.reads
            waitingChildrenRead.formUnion(after.waitingParents)
        }
        return changed
    }

    /// Models that a running or queued unlearning job reads besides its own (a re-derivation reads its parent's
    /// version): their next unlearning waits until the job ends, since releasing it would purge what the job reads.
    func modelsReadByUnlearning(_ requests: [String]) throws -> Set<String> {
        try requests.reduce(into: Set<String>()) { $0.formUnion(try held(by: $1).reads) }
    }

    /// What a request holds other models by: the models its queued, unfinished unlearning jobs read, and the parents
    /// of its derived models still waiting.
    func held(by id: String) throws -> (reads: Set<String>, waitingParents: Set<String>) {
        var reads = Set<String>(), parents = Set<String>()
        for m in try store.deletionProgress(id: id)?.models ?? [] {
            switch m.action.status {
            case "queued":
                guard let job = m.unlearningJob, !job.status.isTerminal, let r = registry.kind(job.type)?.reads else { continue }
                reads.formUnion((try? r(job.params)) ?? [])
            case "waiting":
                parents.formUnion(try parentRoots(of: m.action))
            default:
                continue
            }
        }
        return (reads, parents)
    }

    /// The model roots an affected model was derived from (none for a kind without parents).
    func parentRoots(of action: DeletionAction) throws -> Set<String> {
        guard let parents = registry.kind(action.jobType)?.unlearning?.parents,
              let model = try store.job(id: action.rootJob, tenant: nil),
              let references = try? parents(model.params, model.result), !references.isEmpty else { return [] }
        return Set(try references.compactMap { try resolve($0)?.root })
    }

    /// A parent reference as the store knows it: the model root, the job that wrote the checkpoints, the checkpoint's
    /// step (nil for a series) and the id the child named; nil when the checkpoint is gone.
    func resolve(_ reference: ParentModelReference) throws -> (root: String, job: String, step: Int?, named: String)? {
        let job: String, step: Int?
        switch reference {
        case .checkpoint(let id):
            guard let c = try store.checkpoint(id: id, tenant: nil) else { return nil }
            (job, step) = (c.jobID, c.step)
        case .series(let id):
            (job, step) = (id, nil)
        }
        return (try store.modelRoot(ofJob: job), job, step, reference.id)
    }

    /// Advances one request: records finished unlearning jobs, queues the next ones, and ends the request
    /// when every affected model is settled.
    @discardableResult
    public func advance(_ id: String) throws -> Bool {
        try advance(id, read: modelsReadByUnlearning(store.openDeletionRequestIDs()))
    }

    func advance(_ id: String, read: Set<String>) throws -> Bool {
        guard let progress = try store.deletionProgress(id: id), !progress.request.status.isTerminal else { return false }
        let request = progress.request
        var changed = false, anyStarted = false
        for m in progress.models {
            switch m.action.status {
            case "queued":
                guard let job = m.unlearningJob else { continue }
                if job.status != .queued { anyStarted = true }
                guard job.status.isTerminal else { continue }
                changed = try record(job, of: m.action, request: id) || changed
            case "waiting":
                // A model whose version a child's re-derivation is reading waits for it.
                if read.contains(m.action.rootJob) { continue }
                changed = try start(m, request: request) || changed
            default:
                continue
            }
        }
        // The snapshot is re-read only when this tick wrote something; otherwise the first one is current.
        guard let now = changed ? try store.deletionProgress(id: id) : progress else { return changed }
        let statuses = now.request.actions.map(\.status)
        let settled = statuses.allSatisfy { ["completed", "failed", "skipped"].contains($0) }
        // pending: waiting for an affected model to finish training or for an earlier request on it;
        // running: unlearning work has been queued (or there was nothing left to wait for).
        if now.request.status == .pending && (anyStarted || changed || settled) {
            try store.markDeletionRunning(id: id)
            changed = true
        }
        if settled {
            let failed = statuses.contains("failed")
            let receipt = try DeletionReceipt.make(for: now.request, failed: failed, store: store, registry: registry)
            let rejected = now.request.actions.contains { $0.status == "failed" && registry.unlearningOutcome(of: $0, includeRejected: true)?.rejected != nil }
            let error: JSONValue? = !failed ? nil : rejected
                ? ["code": "forget_quality_bar_missed", "message": "an approximate unlearning result missed the request's forget-quality bar; its evaluation is on the action and the receipt, and no new version was released"]
                : ["code": "unlearning_failed", "message": "an unlearning job failed; see the actions and events"]
            try store.finishDeletionRequest(id: id, failed: failed, receipt: receipt, error: error)
            changed = true
        }
        return changed
    }

    /// A waiting model whose training has ended and that no earlier request holds: queue its unlearning job.
    func start(_ m: DeletionProgress.ModelProgress, request: DeletionRequest) throws -> Bool {
        let root = m.action.rootJob
        guard !m.blocked, let rootStatus = m.rootStatus, rootStatus.isTerminal else {
            return false   // still training on a snapshot taken before the tombstone: unlearn when done
        }
        guard rootStatus == .succeeded, let input = m.newestCheckpoint else {
            try store.skipModel(request: request.id, model: root, note: DeletionNote(
                "model_skipped", "job \(root) \(rootStatus.rawValue) without a model: nothing to unlearn", data: ["model": .string(root)]))
            return true
        }
        guard let unlearning = registry.kind(m.action.jobType)?.unlearning else {
            try store.skipModel(request: request.id, model: root, note: DeletionNote(
                "model_skipped", "no unlearning method is registered for \(m.action.jobType) in this process", data: ["model": .string(root)]))
            return true
        }
        let model = try store.job(id: root, tenant: nil)
        let parents: [ParentVersion]
        switch try parentVersions(of: model, unlearning: unlearning, request: request) {
        case .wait:
            return false
        case .fail(let reason):
            try store.failModel(request: request.id, model: root, note: DeletionNote(
                "model_failed", "\(m.action.jobType) job \(root) is derived from another model and cannot be re-derived exactly: \(reason)",
                data: ["model": .string(root), "reason": .string(reason)]))
            return true
        case .ready(let versions):
            parents = versions
        }
        let params: JSONValue
        do {
            params = try unlearning.params(UnlearningRequest(inputCheckpoint: input, model: root, forget: m.forget, mode: request.mode,
                                                             dataset: request.dataset, deletionRequest: request.id, options: request.options,
                                                             parents: parents))
        } catch {
            try store.skipModel(request: request.id, model: root, note: DeletionNote(
                "model_skipped", "\(m.action.jobType) cannot be unlearned in \(request.mode) mode: \(Self.describe(error))",
                data: ["model": .string(root)]))
            return true
        }
        var submission = JobSubmission(tenant: request.tenant, type: unlearning.jobType, params: params, seed: 0, priority: 1, maxAttempts: 3,
                                       metadata: ["deletion_request": request.id, "model": root])
        // The unlearning job runs where the model was trained (its back end and thread budget).
        if let model { submission.backend = model.backend; submission.threads = model.threads }
        let note = DeletionNote("unlearning_job_queued", "\(unlearning.jobType) job {job} on \(input) (model \(root))",
                                data: ["model": .string(root), "input_checkpoint": .string(input)])
        return try store.queueUnlearning(request: request.id, model: root, inputCheckpoint: input, submission: submission, note: note) != nil
    }

    enum Parents { case ready([ParentVersion]), wait, fail(String) }

    /// The current versions of the models `model` was derived from (`Unlearnable.parentModels`). A parent whose
    /// unlearning is running, or waiting in this request or an older one, is waited for, so the child is re-derived from
    /// a version without the tombstoned records; a parent whose current version still carries some (a later request's
    /// unlearning of it failed or was skipped) or that was derived at a step of an edit (not of a retrain) leaves nothing
    /// exact to re-derive from: the child's action fails.
    func parentVersions(of model: Job?, unlearning: RegisteredKind.Unlearning, request: DeletionRequest) throws -> Parents {
        guard let model else { return .ready([]) }
        let references: [ParentModelReference]
        do { references = try unlearning.parents(model.params, model.result) } catch { return .fail("its params do not decode: \(Self.describe(error))") }
        var versions: [ParentVersion] = []
        for reference in references {
            guard let (root, job, step, named) = try resolve(reference) else { return .fail("its base checkpoint \(reference.id) is gone") }
            if job != root, let reason = try notARetrain(job) {
                return .fail("its base \(named) was written by \(reason): its step is not a step of a retrain of \(root)")
            }
            let current = try store.currentModelVersion(root: root, request: request.id)
            if current.unlearningOpen { return .wait }
            if current.carriesDeletedRecords {
                return .fail("its parent \(root) still carries tombstoned records (a deletion request's unlearning of it failed or was skipped)")
            }
            guard let checkpoint = current.checkpoint else { return .fail("its parent \(root) has no checkpoint") }
            versions.append(ParentVersion(model: root, checkpoint: checkpoint, step: step, derived_from: named))
        }
        return .ready(versions)
    }

    /// Why a version job's checkpoints are not a retrain's trajectory (an approximate edit, a job that has not succeeded);
    /// nil when its outcome says it retrained.
    func notARetrain(_ job: String) throws -> String? {
        guard let j = try store.job(id: job, tenant: nil) else { return "job \(job), which is gone" }
        guard j.status == .succeeded, let result = j.result, let outcome = try? registry.kind(j.type)?.outcome?(result) else {
            return "\(j.type) job \(job) (\(j.status.rawValue))"
        }
        return outcome.retrained == true ? nil : "an approximate \(j.type) job \(job)"
    }

    /// A finished unlearning job: its typed outcome (the new version) or its error, and the redaction of its params.
    func record(_ job: Job, of action: DeletionAction, request: String) throws -> Bool {
        let root = action.rootJob
        let kind = registry.kind(job.type)
        let redacted = kind.map { $0.redact(job.params) }
        let end: ModelUnlearningEnd
        if job.status == .succeeded, let result = job.result, let outcome = try? kind?.outcome?(result), let reason = outcome.rejected {
            // Approximate mode missed the request's forget-quality bar: no new version; the action fails with the evaluation.
            end = ModelUnlearningEnd(status: "failed", result: result, newVersion: nil, note: DeletionNote(
                "unlearning_rejected", "model \(root): the approximate result missed the forget-quality bar (\(reason)); no new version",
                data: ["job": .string(job.id), "model": .string(root), "reason": .string(reason), "evaluation": outcome.evaluation ?? .null]))
        } else if job.status == .succeeded, let result = job.result {
            let outcome = try? kind?.outcome?(result)
            let version = outcome.flatMap { o in o.producedVersion ? o.model_version.map { ($0, o.checkpoint!) } : nil }
            end = ModelUnlearningEnd(status: "completed", result: result, newVersion: version, note: DeletionNote(
                "unlearning_completed",
                "model \(root): new version \(outcome?.model_version ?? 0) (\(outcome?.producedVersion == true ? outcome!.checkpoint! : "unchanged"))",
                data: ["job": .string(job.id), "model": .string(root),
                       "checkpoint": outcome?.checkpoint.map(JSONValue.string) ?? .null, "retrained": .bool(outcome?.retrained ?? false)]))
        } else {
            let error = JSONValue(jsonText: job.errorJSON) ?? .null
            end = ModelUnlearningEnd(status: "failed", result: ["error": error], newVersion: nil, note: DeletionNote(
                "unlearning_failed", "unlearning job \(job.id) \(job.status.rawValue)",
                data: ["job": .string(job.id), "model": .string(root), "error": error]))
        }
        return try store.recordUnlearningEnd(request: request, model: root, jobID: job.id, end: end, redactedParams: redacted)
    }

    static func describe(_ error: Error) -> String {
        if case JobError.invalid(let param, let message) = error { return param.map { "\($0): \(message)" } ?? message }
        return "\(error)"
    }
}

/// The coordinator as a lifecycle service: advances requests every `interval` until shutdown.
public struct DeletionCoordinatorService: Service {
    let coordinator: DeletionCoordinator
    let interval: Duration
    let logger: Logger
    let startGate: StartGate

    public init(store: any QueueStore, registry: JobKindRegistry, interval: Duration,
                logger: Logger = Logger(label: "orchard.deletions"), startGate: StartGate = StartGate(open: true)) {
        coordinator = DeletionCoordinator(store: store, registry: registry)
        self.interval = interval; self.logger = logger; self.startGate = startGate
    }

    public func run() async throws {
        let coordinator = coordinator
        try await runPeriodically(every: interval, after: startGate, logger: logger, failure: "deletion coordinator failed") {
            _ = try await coordinator.store.offload { try coordinator.advanceAll() }
        }
    }
}
