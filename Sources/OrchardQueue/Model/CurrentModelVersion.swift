/// A model's current version as a deletion request sees it (`QueueStore.currentModelVersion(root:request:)`).
public struct CurrentModelVersion: Sendable, Hashable {
    /// The newest released version's checkpoint, else the root job's newest checkpoint; nil when it has none.
    public var checkpoint: String?
    /// Unlearning of the model is running (any open request) or waiting in this request or an older one: a newer
    /// version will follow before this request may read the model.
    public var unlearningOpen: Bool
    /// A deletion request after the one that released the current version (any request, when none did) reached the model
    /// and ended its action `failed` or `skipped`: the current version still carries records tombstoned since.
    public var carriesDeletedRecords: Bool
    public init(checkpoint: String?, unlearningOpen: Bool, carriesDeletedRecords: Bool = false) {
        self.checkpoint = checkpoint; self.unlearningOpen = unlearningOpen; self.carriesDeletedRecords = carriesDeletedRecords
    }
}
