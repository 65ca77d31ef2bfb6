import Foundation
import OrchardTensor

/// The checkpoint format of every GPT-producing job kind, which any LM kind can read (a model to align, distil
/// or unlearn). A checkpoint directory holds:
/// - `model.safetensors`: the parameters under GPT-2 names (`GPTParameterLayout`), Float32;
/// - `optimizer.safetensors`: the AdamW moments (for resuming the job that wrote it);
/// - `tokenizer.json`: the BPE tokenizer (BPE models only);
/// - `state.json`: the writing kind's own state object, which carries at least `model` (the `GPTConfig`),
///   `tokenizer` ("bytes" | "bpe") and `step` (`GPTCheckpoint.Header`); other keys are the kind's business.
public enum GPTCheckpoint {
    /// What every GPT checkpoint's `state.json` carries.
    public struct Header: Codable, Sendable, Equatable {
        public var model: GPTConfig
        public var tokenizer: String
        public var step: Int
        public init(model: GPTConfig, tokenizer: String, step: Int) { self.model = model; self.tokenizer = tokenizer; self.step = step }
    }

    /// A checkpoint read back.
    public struct Contents {
        public var header: Header
        public var parameters: [String: TensorRecord]
        public var optimizer: [String: TensorRecord]
        public var tokenizer: TextTokenizer
        /// `state.json` as written (the kind decodes its own fields from it).
        public var state: Data
        /// A combined model (WHP): the second parameter set and how the logits combine; nil for a plain GPT.
        public var combination: Combination? = nil
        public var reinforced: [String: TensorRecord]? = nil
    }

    /// `state.json`'s `combination`: the model is two parameter sets whose logits combine at inference
    /// (Who's Harry Potter: l = l_target − α·ReLU(l_reinforced − l_target)); `reinforced.safetensors` holds the second.
    /// Readers that run a single GPT (training, DPO, generation by one model) must refuse such a checkpoint, so `read`
    /// throws unless the caller opts in: using `model.safetensors` alone would be the model before unlearning.
    public struct Combination: Codable, Sendable, Equatable {
        public var kind: String
        public var alpha: Float
        public init(kind: String, alpha: Float) { self.kind = kind; self.alpha = alpha }
    }
    struct CombinationHeader: Codable { var combination: Combination? }
    public static let reinforcedFile = "reinforced.safetensors"

    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }

    /// Writes the tensors, the tokenizer and `state` (which must encode the `Header` fields) into `dir`.
    /// `metadata` goes into both safetensors headers (string values only).
    public static func write(to dir: URL, snapshot: TrainingSnapshot, tokenizer: TextTokenizer, state: some Encodable,
                             metadata: [String: String]) throws {
        try SafeTensors.write(snapshot.parameters, metadata: metadata, to: dir.appendingPathComponent("model.safetensors"))
        try SafeTensors.write(snapshot.optimizer, metadata: metadata, to: dir.appendingPathComponent("optimizer.safetensors"))
        if case .bpe(let t) = tokenizer { try t.save(to: dir.appendingPathComponent("tokenizer.json")) }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        try e.encode(state).write(to: dir.appendingPathComponent("state.json"))
    }

    /// Reads a checkpoint's header, tensors and tokenizer. Throws `FormatError` for a directory that is not a
    /// GPT checkpoint.
    public static func read(from dir: URL, optimizer readOptimizer: Bool = true, allowCombined: Bool = false) throws -> Contents {
        let stateData: Data, header: Header
        do {
            stateData = try Data(contentsOf: dir.appendingPathComponent("state.json"))
            header = try JSONDecoder().decode(Header.self, from: stateData)
        } catch {
            throw FormatError("\(dir.lastPathComponent) is not a GPT checkpoint (state.json: \(error))")
        }
        let parameters = try SafeTensors.read(from: dir.appendingPathComponent("model.safetensors")).tensors
        let optimizer = readOptimizer ? try SafeTensors.read(from: dir.appendingPathComponent("optimizer.safetensors")).tensors : [:]
        let tokenizer: TextTokenizer
        switch header.tokenizer {
        case "bytes": tokenizer = .bytes
        case "bpe": tokenizer = .bpe(try BPETokenizer.load(from: dir.appendingPathComponent("tokenizer.json")))
        default: throw FormatError("unknown tokenizer '\(header.tokenizer)' in \(dir.lastPathComponent)/state.json")
        }
        guard tokenizer.vocabularySize == header.model.vocabularySize else {
            throw FormatError("tokenizer has \(tokenizer.vocabularySize) symbols, the model \(header.model.vocabularySize)")
        }
        var contents = Contents(header: header, parameters: parameters, optimizer: optimizer, tokenizer: tokenizer, state: stateData)
        if let c = (try? JSONDecoder().decode(CombinationHeader.self, from: stateData))?.combination {
            guard allowCombined else {
                throw FormatError("\(dir.lastPathComponent) is a combined model (\(c.kind): two parameter sets whose logits combine), not a single GPT")
            }
            contents.combination = c
            contents.reinforced = try SafeTensors.read(from: dir.appendingPathComponent(reinforcedFile)).tensors
        }
        return contents
    }
}
