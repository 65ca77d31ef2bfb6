import Foundation
import OrchardCorpus
import OrchardMethods

/// The documents a pretrain job trains and evaluates on, and — for byte-level models — the training catalog over
/// the dataset **as uploaded**: tombstoned documents keep their place and their length (the kept byte count) and are
/// excluded from the first draw. The catalog, the natural weights μ (token shares), each domain's document
/// permutations and the held-out split then do not depend on which documents were deleted, so the sampler's draws
/// before a document's first read are the same whether or not it is later excluded: what makes a replay from an
/// earlier checkpoint equal to a retrain from step 0 (`GPTUnlearnKind`, docs/methods.md "Exact unlearning by replay").
/// The price: μ counts the deleted documents' lengths (a length, never content). BPE models train their tokenizer
/// on the live documents, so their catalog holds live documents only (a deletion changes everything; replay restarts
/// from step 0), as do contexts that keep no record of tombstones.
struct PretrainData {
    /// Live training documents (id order).
    let train: [Document]
    let heldOut: [Document]
    /// The catalog a fresh byte-level run draws from (id order, tombstoned entries included); nil: build it from
    /// `train` with the job's tokenizer.
    let catalog: [CatalogRecord]?
    /// Catalog entries that are tombstoned: excluded from the first draw.
    let tombstoned: Set<String>

    init(params p: PretrainParams, context: JobContext) throws {
        let live = try context.documents(dataset: p.dataset)
        guard !live.isEmpty else { throw JobError.invalid(param: "dataset", message: "dataset \(p.dataset) has no live documents") }
        let records = p.model.vocab.tokenizer == "bytes" ? try context.documentCatalog(dataset: p.dataset) : nil
        guard let records else {
            if let h = p.heldout_dataset {
                (train, heldOut) = (live, try context.documents(dataset: h))
            } else {
                (train, heldOut) = try HeldOutSplit(fraction: p.heldout_fraction.value).assign(live)
            }
            catalog = nil; tombstoned = []
            return
        }
        // Tombstoned documents whose length was lost (purged before lengths were kept) cannot take their place.
        let usable = records.filter { !$0.tombstoned || $0.bytes != nil }
        let trainRecords: [DocumentRecord]
        if let h = p.heldout_dataset {
            trainRecords = usable; heldOut = try context.documents(dataset: h)
        } else {
            let split = try HeldOutSplit(fraction: p.heldout_fraction.value).assign(usable, id: \.id, domain: \.domain)
            trainRecords = split.train
            let held = Set(split.heldOut.map(\.id))
            heldOut = live.filter { held.contains($0.id) }
        }
        let liveByID = Dictionary(live.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var docs: [Document] = [], out: [CatalogRecord] = [], gone = Set<String>()
        for r in trainRecords {
            if let d = liveByID[r.id], !r.tombstoned {
                docs.append(d)
                out.append(CatalogRecord(id: r.id, domain: r.domain, length: d.text.utf8.count))
            } else if let b = r.bytes {
                out.append(CatalogRecord(id: r.id, domain: r.domain, length: b))
                gone.insert(r.id)
            }
        }
        train = docs; catalog = out; tombstoned = gone
    }
}
