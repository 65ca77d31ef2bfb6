/// A model's current version as a deletion request sees it (`QueueStore.currentModelVersion`).
public struct CurrentModelVersion: Sendable, Hashable {
    /// The newest released version's checkpoint, else the root job's newest checkpoint; nil when it has none.
    public var checkpoint: String?
    /// An open deletion request has unlearning of the model waiting or running: a newer version may follow.
    public var unlearningOpen: Bool
    public init(checkpoint: String?, unlearningOpen: Bool) { self.checkpoint = checkpoint; self.unlearningOpen = unlearningOpen }
}
