/// Errors of the topic-model pipeline. Every bad input ends here with a message that names the problem.
public enum TopicModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    case emptyCorpus(String)
    case tooFewAnchorCandidates(candidates: Int, topics: Int)
    case degenerateAnchors(String)
    case unknownDocument(id: String)
    case duplicateDocument(id: String)
    /// The text given for a document to forget is not the text the model was trained on.
    case documentMismatch(id: String)
    case singularMatrix(String)
    case notCertified
    /// Serving this request would exceed the deletion capacity and the caller must retrain.
    case retrainRequired(used: Int, requested: Int, capacity: Int)
    case corpusUnreadable(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): return "invalid topic-model configuration: \(m)"
        case .emptyCorpus(let m): return "corpus too small: \(m)"
        case .tooFewAnchorCandidates(let c, let r):
            return "only \(c) anchor candidates pass the document-frequency threshold, need at least \(r) topics' worth"
        case .degenerateAnchors(let m): return "anchor selection failed: \(m)"
        case .unknownDocument(let id): return "document \(id) is not in this model's training set (or was already deleted)"
        case .duplicateDocument(let id): return "document \(id) appears twice"
        case .documentMismatch(let id): return "document \(id): text differs from the text the model was trained on"
        case .singularMatrix(let m): return "singular matrix: \(m)"
        case .retrainRequired(let used, let requested, let capacity):
            return "deletion capacity exhausted (\(used) used + \(requested) requested > \(capacity)): retrain required"
        case .notCertified: return "certified mode needs a model trained with a certification configuration"
        case .corpusUnreadable(let m): return "cannot read corpus: \(m)"
        }
    }
}
