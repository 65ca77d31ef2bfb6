import OrchardCorpus

// Transitional, for OrchardJobs only: the topic model's documents are `OrchardCorpus.Document` (label =
// domain). OrchardJobs still builds them as `TopicDocument(id:text:label:)`; delete this file once it
// constructs `Document(id:domain:text:)` itself.

@available(*, deprecated, message: "use OrchardCorpus.Document; the label is its domain")
public typealias TopicDocument = Document

extension Document {
    /// A document whose domain is `label` ("" for nil: unlabelled).
    @available(*, deprecated, message: "use Document(id:domain:text:)")
    public init(id: String, text: String, label: String?) {
        self.init(id: id, domain: label ?? "", text: text)
    }
}
