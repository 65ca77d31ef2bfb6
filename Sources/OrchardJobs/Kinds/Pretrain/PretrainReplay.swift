import Foundation
import OrchardMethods
import OrchardModels

/// Exact unlearning of a pretrained GPT by replay: continue training from the newest checkpoint that a retrain
/// from step 0 without the tombstoned documents would also have reached, with those documents excluded.
///
/// Why the replay equals the retrain, bit for bit: the catalog is the dataset as uploaded (`PretrainData`), so μ,
/// the per-(domain, epoch) permutations and the held-out split do not depend on tombstones; a tombstone only makes
/// the cursor skip the document when it reaches it. Up to the first read of a forgotten document the original run
/// and the retrain therefore draw the same domains and windows, train the same model with the same optimizer and
/// RNG, and observe the same losses (ADO); from a checkpoint before that read, the replay is the retrain.
///
/// A candidate checkpoint c is a valid start for the exclusion set E (every tombstoned catalog entry now) when:
///   - it was written by the same run: same model config, byte tokenizer, catalog records, seed, sequence length,
///     packing and resolved mixture as the fresh run built now;
///   - nothing c's run excluded is outside E (tombstones are permanent, so this holds; checked anyway);
///   - no document of E was read before c: the documents its cursors passed (seed + cursors reconstruct them),
///     minus those excluded from its first draw, do not meet E (a document excluded mid-run counts as read);
///   - the domains left without a live document are the same under E and under c's initial exclusions (a domain
///     emptied by E is masked from the retrain's first draw).
/// No valid candidate: the replay starts from step 0 (a full retrain, still exact).
enum PretrainReplay {
    /// The checkpoints a replay may start from (the model's pinned anchors: its root job's and its newest version's).
    struct Request {
        var candidates: [CheckpointRef]
    }

    /// Where a replay starts.
    struct Origin {
        /// The checkpoint it starts from (nil: step 0).
        var checkpoint: String?
        var directory: URL?
        /// The start's state.json (its tensors are read by `load()`, only when the replay actually starts there).
        var state: PretrainState?
        var candidates: Int
        var startStep: Int { state?.step ?? 0 }

        func load() throws -> PretrainCheckpoint.Loaded? { try directory.map { try PretrainCheckpoint.read(from: $0) } }

        func json(totalSteps: Int) -> JSONValue {
            ["from_checkpoint": checkpoint.map(JSONValue.string) ?? .null, "from_step": .number(Double(startStep)),
             "steps_replayed": .number(Double(totalSteps - startStep)), "steps_full_retrain": .number(Double(totalSteps)),
             "candidates": .number(Double(candidates))]
        }
    }

    /// The newest valid start among the candidates (each candidate's state.json is read; no tensors).
    static func origin(_ request: Request, fresh: MixtureSampler, catalog: [CatalogRecord], model: GPTConfig) throws -> Origin {
        let excluded = Set(fresh.state.excludedAtStart)
        let emptyNow = emptyDomains(fresh.catalog, excluded: excluded)
        let sorted = request.candidates.sorted { ($0.step, $0.id) > ($1.step, $1.id) }
        for c in sorted {
            guard let data = try? Data(contentsOf: c.directory.appendingPathComponent("state.json")),
                  let state = try? JSONDecoder().decode(PretrainState.self, from: data),
                  state.format == PretrainState.format else { continue }
            let s = state.sampler, f = fresh.state
            guard state.model == model, state.tokenizer == "bytes", state.catalog == catalog,
                  s.catalogFingerprint == f.catalogFingerprint, s.seed == f.seed, s.sequenceLength == f.sequenceLength,
                  s.packed == f.packed, s.strategy == f.strategy, state.step == s.batches, !s.awaitingObservation,
                  Set(s.excludedDocumentIDs).isSubset(of: excluded) else { continue }
            let initial = Set(s.excludedAtStart)
            guard emptyDomains(fresh.catalog, excluded: initial) == emptyNow else { continue }
            let read = MixtureSampler.reconstructLineage(catalog: fresh.catalog, seed: fresh.seed, cursors: s.cursors).subtracting(initial)
            guard read.isDisjoint(with: excluded) else { continue }
            return Origin(checkpoint: c.id, directory: c.directory, state: state, candidates: sorted.count)
        }
        return Origin(checkpoint: nil, directory: nil, state: nil, candidates: sorted.count)
    }

    /// A valid start's sampler state as the retrain has it at that step: excluded from the first draw = E.
    static func rebased(_ s: MixtureSamplerState, fresh: MixtureSamplerState) -> MixtureSamplerState {
        var s = s
        s.excludedDocumentIDs = fresh.excludedAtStart
        s.excludedAtStart = fresh.excludedAtStart
        return s
    }

    /// Indices of the domains without a live document of ≥ 2 tokens (never drawn) under `excluded`.
    static func emptyDomains(_ catalog: MixtureCatalog, excluded: Set<String>) -> Set<Int> {
        Set(catalog.domains.indices.filter { d in
            !catalog.domains[d].documents.contains { !excluded.contains($0.id) && $0.length >= 2 }
        })
    }
}
