import Foundation

/// Which of a job's checkpoints retention keeps, shared by every store: the newest `keepLast` (at least one),
/// the best by `metric` (lowest finite value) and every pinned one (a model's replay anchors).
public struct CheckpointRetention: Sendable {
    public var keepLast: Int
    public var metric: String

    public init(keepLast: Int, metric: String) { self.keepLast = keepLast; self.metric = metric }

    /// The checkpoints to prune, of `all` ordered newest first (step, then insertion, descending).
    public func pruned(_ all: [Checkpoint], pinned: Set<String>) -> [Checkpoint] {
        var keep = Set(all.prefix(max(1, keepLast)).map(\.id))
        keep.formUnion(pinned)
        if let best = all.filter({ $0.metrics[metric]?.isFinite == true }).min(by: { $0.metrics[metric]! < $1.metrics[metric]! }) {
            keep.insert(best.id)
        }
        return all.filter { !keep.contains($0.id) }
    }
}
