import Foundation

/// A resource a job's params name: the API checks each one for the submitting tenant before anything is queued
/// (404 when it does not exist or belongs to another tenant, 422 when it is of the wrong kind), so a bad id is an
/// answer to the request, not a job that fails at run time. `param` is the path below `params` (`dataset`,
/// `heldout_dataset`, `model`).
public enum JobReference: Sendable, Equatable {
    /// A dataset that must hold `records` (documents or preference pairs).
    case dataset(id: String, param: String, records: DatasetRecords)
    /// A checkpoint of this tenant.
    case checkpoint(id: String, param: String)
    /// A GPT model of this tenant: a checkpoint (`ckpt_…`) holding `model.safetensors`, or a job (`job_…`) whose
    /// newest checkpoint does (422 when it has none yet, or it is not a GPT). A combined model (WHP: two parameter sets,
    /// `reinforced.safetensors`) is 422 unless `combined` says the kind evaluates such models.
    case gptModel(id: String, param: String, combined: Bool = false)
    /// A job of this tenant (`job_…`), named as a model's identity (its lineage root) or a checkpoint series, not as
    /// weights to load; of one of `types` (422 otherwise) unless `types` is empty. `series`: its checkpoint series is
    /// read whole (a distillation teacher's), so the job must have succeeded and none of its checkpoints be purged.
    case job(id: String, param: String, types: [String] = [], series: Bool = false)
    /// The GPT model named by `id` (as for `gptModel`) uses `tokenizer` ("bytes" | "bpe"), else 422: a model that
    /// must share another's vocabulary (a distillation student) names it.
    case gptTokenizer(id: String, param: String, tokenizer: String)
    /// Documents (by id, in order) that must already be tombstoned in a dataset: `dataset`, or else the one the job
    /// `job`'s params name under `datasetKey` (a replay must not read them; a deletion request tombstones first).
    /// A live or unknown one is 422 at `param[i].id`.
    case tombstonedDocuments(job: String, datasetKey: String, dataset: String?, ids: [String], param: String)

    public var param: String {
        switch self {
        case .dataset(_, let p, _), .checkpoint(_, let p), .gptModel(_, let p, _), .job(_, let p, _, _), .gptTokenizer(_, let p, _),
             .tombstonedDocuments(_, _, _, _, let p): return p
        }
    }
}

/// What a dataset holds (`DatasetKind` raw values).
public enum DatasetRecords: String, Sendable, Equatable {
    case documents
    case preferencePairs = "preference_pairs"
}

extension JobKind {
    /// No references unless the kind declares them.
    public func references(_ params: Params) -> [JobReference] { [] }
}
