import Foundation

/// The tokenizer of a GPT checkpoint: byte-level (256 symbols) or a byte-level BPE trained on the job's
/// documents (saved as `tokenizer.json` beside the model). Any LM kind that reads a checkpoint must use it
///.
public enum TextTokenizer: Sendable {
    case bytes
    case bpe(BPETokenizer)

    /// "bytes" | "bpe": the name checkpoints record.
    public var name: String { if case .bpe = self { return "bpe" }; return "bytes" }

    public var vocabularySize: Int {
        switch self {
        case .bytes: return 256
        case .bpe(let t): return t.vocabularySize
        }
    }

    public func encode(_ text: String) -> [Int32] {
        switch self {
        case .bytes: return text.utf8.map { Int32($0) }
        case .bpe(let t): return t.encode(text)
        }
    }

    /// UTF-8 text of token ids (invalid byte sequences replaced).
    public func decode(_ ids: [Int32]) -> String {
        switch self {
        case .bytes: return String(decoding: ids.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        case .bpe(let t): return t.decodeText(ids)
        }
    }
}
