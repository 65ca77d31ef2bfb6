import Foundation
import OrchardTensor
import Testing
@testable import OrchardModels

/// The GPT checkpoint format any LM kind reads: tensors, tokenizer and header round-trip exactly.
@Suite struct GPTCheckpointTests {
    struct State: Codable { var model: GPTConfig; var tokenizer: String; var step: Int; var extra: String }

    func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gpt-ckpt-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(arguments: [false, true])
    func writesAndReadsBackExactly(bpe: Bool) throws {
        let text = ["the quick brown fox jumps over the lazy dog", "a quick brown dog naps", "the lazy fox sleeps"]
        let tokenizer: TextTokenizer = bpe ? .bpe(try BPETokenizer.train(corpus: text, vocabularySize: 270)) : .bytes
        let config = GPTConfig(vocabularySize: tokenizer.vocabularySize, contextLength: 16, layers: 1, channels: 16, heads: 2)
        let trainer = try GPTTrainer.adamW(model: try GPT(config: config, maxBatch: 1, seed: 3), learningRate: .linearWarmup(rate: 1e-3, warmupSteps: 0), seed: 3)
        let snapshot = trainer.snapshot()
        let dir = try directory()
        try GPTCheckpoint.write(to: dir, snapshot: snapshot, tokenizer: tokenizer,
                                state: State(model: config, tokenizer: tokenizer.name, step: 7, extra: "kind's own"), metadata: ["step": "7"])
        let back = try GPTCheckpoint.read(from: dir)
        #expect(back.header == GPTCheckpoint.Header(model: config, tokenizer: bpe ? "bpe" : "bytes", step: 7))
        #expect(back.parameters == snapshot.parameters && back.optimizer == snapshot.optimizer)
        #expect(back.tokenizer.vocabularySize == tokenizer.vocabularySize)
        #expect(back.tokenizer.encode(text[1]) == tokenizer.encode(text[1]) && back.tokenizer.decode(tokenizer.encode(text[1])) == text[1])
        #expect(try JSONDecoder().decode(State.self, from: back.state).extra == "kind's own")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("tokenizer.json").path) == bpe)
    }

    @Test func aDirectoryThatIsNotAGPTCheckpointIsAFormatError() throws {
        let dir = try directory()
        try Data(#"{"kind": "topic_model"}"#.utf8).write(to: dir.appendingPathComponent("state.json"))
        #expect(throws: GPTCheckpoint.FormatError.self) { try GPTCheckpoint.read(from: dir) }
    }
}
