/// One document of a topic-model corpus, as the topic-model code sees it. A plain local type because
/// OrchardMethods cannot see the queue's document type; a job runner maps its documents onto this.
public struct TopicDocument: Sendable, Hashable, Codable {
    /// Stable identifier; deletion requests name documents by it.
    public var id: String
    public var text: String
    /// Downstream label (for the Debian corpus: the package Section). Not used by the topic model.
    public var label: String?

    public init(id: String, text: String, label: String? = nil) {
        self.id = id
        self.text = text
        self.label = label
    }
}
