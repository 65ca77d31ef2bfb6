import Foundation
import Testing
@testable import OrchardModels
@testable import OrchardTensor

/// Real English text present on every Debian machine.
enum TokenizerLicenseCorpus {
    static let directory = URL(fileURLWithPath: "/usr/share/common-licenses")
    static let documents: [[UInt8]] = {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        return names.compactMap { name in
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = try? Data(contentsOf: url) else { return nil }
            return [UInt8](data)
        }
    }()
    static let tokenizer512: BPETokenizer = try! BPETokenizer.train(documents: documents, vocabularySize: 512, specialTokens: ["<|endoftext|>"])
}

@Suite struct TokenizerPreTokenizerTests {
    @Test func splitsLikeGPT2() {
        func split(_ s: String) -> [String] { ByteLevelPreTokenizer.chunks(Array(s.utf8)).map { String(decoding: $0, as: UTF8.self) } }
        #expect(split("Hello world, 2024!") == ["Hello", " world", ",", " 2024", "!"])
        #expect(split("a  b\n\n  c") == ["a", " ", " b", "\n\n ", " c"])
        #expect(split("x = f(y)\n") == ["x", " =", " f", "(", "y", ")", "\n"])
        #expect(split("naïve café 北京 ٣٤") == ["naïve", " café", " 北京", " ٣٤"])
        #expect(split("   ") == ["   "])
        #expect(split("end ") == ["end", " "])
    }

    @Test func chunksTileAnyBytesIncludingInvalidUTF8() {
        var rng = SeededRandom(seed: 11)
        for _ in 0..<300 {
            let bytes = (0..<Int(rng.next() % 600)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let chunks = ByteLevelPreTokenizer.chunks(bytes)
            #expect(chunks.flatMap { $0 } == bytes)
            #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= ByteLevelPreTokenizer.maxChunkBytes + 3 })
        }
        let longRun = [UInt8](repeating: UInt8(ascii: "="), count: 1000)
        #expect(ByteLevelPreTokenizer.chunks(longRun).map(\.count) == [256, 256, 256, 232])
    }
}

@Suite struct TokenizerTrainingTests {
    /// The straightforward algorithm (recount every pair after every merge), as the reference that the
    /// incremental trainer must reproduce merge for merge.
    static func naiveMerges(_ documents: [[UInt8]], count: Int) -> [BPETokenizer.Merge] {
        var words: [[Int32]] = []
        for d in documents { words += ByteLevelPreTokenizer.chunks(d).filter { $0.count >= 2 }.map { $0.map(Int32.init) } }
        var merges: [BPETokenizer.Merge] = []
        while merges.count < count {
            var counts: [UInt64: Int] = [:]
            for w in words where w.count >= 2 {
                for i in 0..<(w.count - 1) { counts[BPETokenizer.pairKey(w[i], w[i + 1]), default: 0] += 1 }
            }
            guard let best = counts.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }), best.value >= 2 else { break }
            let left = Int32(best.key >> 32), right = Int32(best.key & 0xFFFF_FFFF), id = Int32(256 + merges.count)
            merges.append(.init(left, right))
            words = words.map { w in
                var out: [Int32] = []
                var i = 0
                while i < w.count {
                    if i + 1 < w.count, w[i] == left, w[i + 1] == right { out.append(id); i += 2 } else { out.append(w[i]); i += 1 }
                }
                return out
            }
        }
        return merges
    }

    @Test func incrementalTrainingMatchesTheNaiveReference() throws {
        let docs = Array(TokenizerLicenseCorpus.documents.prefix(3)).map { Array($0.prefix(20_000)) }
        try #require(!docs.isEmpty, "needs /usr/share/common-licenses")
        let fast = try BPETokenizer.train(documents: docs, vocabularySize: 256 + 150)
        #expect(fast.merges == Self.naiveMerges(docs, count: 150))
        #expect(fast.merges.count == 150)
    }

    @Test func trainsOnLicenseTextAndCompresses() throws {
        let docs = TokenizerLicenseCorpus.documents
        try #require(docs.count >= 5, "needs /usr/share/common-licenses")
        let start = ContinuousClock.now
        let tokenizer = TokenizerLicenseCorpus.tokenizer512
        let elapsed = ContinuousClock.now - start
        #expect(tokenizer.vocabularySize == 512)
        #expect(tokenizer.specialTokenID("<|endoftext|>") == 511)
        let all = docs.flatMap { $0 }
        let ids = tokenizer.encode(bytes: all)
        let bytesPerToken = Double(all.count) / Double(ids.count)
        // 255 merges on the 303 KB of license English: measured 2.26 bytes/token (training is deterministic).
        #expect(bytesPerToken > 2.2, "bytes/token \(bytesPerToken)")
        #expect(tokenizer.decode(ids) == all)
        #expect(ids.allSatisfy { $0 >= 0 && $0 < 511 }, "encode never emits special tokens")
        #expect(elapsed < .seconds(20), "training took \(elapsed)")
        // The first merges of English are what one expects.
        let firstTokens = tokenizer.merges.prefix(10).enumerated().map { String(decoding: tokenizer.decode([Int32(256 + $0.offset)]), as: UTF8.self) }
        #expect(firstTokens.contains(" t") || firstTokens.contains("th") || firstTokens.contains("he"), "\(firstTokens)")
    }

    @Test func learnedTokensNeverCrossChunkBoundaries() throws {
        let tokenizer = TokenizerLicenseCorpus.tokenizer512
        for id in 256..<(256 + tokenizer.merges.count) {
            let bytes = tokenizer.decode([Int32(id)])
            #expect(ByteLevelPreTokenizer.chunks(bytes).count == 1, "token \(id) = \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }

    @Test func isDeterministicAndStopsWhenPairsRunOut() throws {
        let a = try BPETokenizer.train(corpus: ["low lower lowest", "newer wider"], vocabularySize: 1000)
        let b = try BPETokenizer.train(corpus: ["low lower lowest", "newer wider"], vocabularySize: 1000)
        #expect(a.merges == b.merges && a.sha256 == b.sha256)
        #expect(a.vocabularySize < 1000, "only pairs seen at least twice are merged")
        #expect(a.decodeText(a.encode(" lower")) == " lower")
        #expect(a.encode(" lower").count < 6)
    }

    @Test func rejectsBadSettings() {
        #expect(throws: TokenizerError.invalidVocabularySize(requested: 100, minimum: 256)) {
            try BPETokenizer.train(corpus: ["x"], vocabularySize: 100)
        }
        #expect(throws: TokenizerError.invalidVocabularySize(requested: 256, minimum: 257)) {
            try BPETokenizer.train(corpus: ["x"], vocabularySize: 256, specialTokens: ["<eot>"])
        }
        #expect(throws: TokenizerError.self) { try BPETokenizer(merges: [.init(1, 300)]) }
        #expect(throws: TokenizerError.self) { try BPETokenizer(merges: [.init(1, 2), .init(1, 2)]) }
        #expect(throws: TokenizerError.self) { try BPETokenizer(merges: [], specialTokens: ["a", "a"]) }
    }
}

@Suite struct TokenizerRoundTripTests {
    @Test func decodeEncodeIsIdentityForRandomBytes() throws {
        let tokenizer = TokenizerLicenseCorpus.tokenizer512
        var rng = SeededRandom(seed: 3)
        let alphabet = Array(" \n\tthe and of license software GPL §é中\u{FFFD}".utf8)
        for trial in 0..<400 {
            let length = Int(rng.next() % 300)
            let bytes: [UInt8] = (0..<length).map { _ in
                // Mix raw random bytes (invalid UTF-8 included) with text-like bytes that trigger merges.
                rng.next() % 3 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[Int(rng.next() % UInt64(alphabet.count))]
            }
            let ids = tokenizer.encode(bytes: bytes)
            #expect(tokenizer.decode(ids) == bytes, "trial \(trial)")
            #expect(ids.count <= bytes.count)
        }
        #expect(tokenizer.encode(bytes: []) == [])
        let text = "Permission is hereby granted, free of charge — ünïcödé ✓"
        #expect(tokenizer.encode(text) == tokenizer.encode(bytes: Array(text.utf8)))
        #expect(tokenizer.decodeText(tokenizer.encode(text)) == text)
    }

    @Test func untrainedTokenizerIsPlainBytes() throws {
        let bytes: [UInt8] = [0, 255, 0xC3, 0x28, 10]
        let t = try BPETokenizer(merges: [])
        #expect(t.encode(bytes: bytes) == bytes.map(Int32.init))
        #expect(t.vocabularySize == 256)
    }

    @Test func decodeHandlesUnknownIdsWithoutCrashing() throws {
        let t = TokenizerLicenseCorpus.tokenizer512
        #expect(t.decode([-1, 100_000]) == [0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD])
        #expect(throws: TokenizerError.unknownTokenID(512, vocabularySize: 512)) { try t.decodeChecked([65, 512]) }
        #expect(t.decode([t.specialTokenID("<|endoftext|>")!]) == Array("<|endoftext|>".utf8))
    }
}

@Suite struct TokenizerPersistenceTests {
    @Test func savesAndLoadsWithAStableFingerprint() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = TokenizerLicenseCorpus.tokenizer512
        let url = dir.appendingPathComponent("tokenizer.json")
        try t.save(to: url)
        let loaded = try BPETokenizer.load(from: url)
        #expect(loaded.merges == t.merges && loaded.specialTokens == t.specialTokens)
        #expect(loaded.sha256 == t.sha256)
        #expect(try SHA256Hasher.hexDigest(ofFile: url) == t.sha256, "the fingerprint is the file's SHA-256")
        #expect(t.sha256.count == 64)
        let sample = Array("GNU GENERAL PUBLIC LICENSE\nVersion 3".utf8)
        #expect(loaded.encode(bytes: sample) == t.encode(bytes: sample))
        // Reformatted JSON (whitespace, key order) loads to the same tokenizer and fingerprint.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
        #expect(try BPETokenizer.load(json: pretty).sha256 == t.sha256)
        // A different tokenizer has a different fingerprint.
        #expect(try BPETokenizer(merges: Array(t.merges.dropLast()), specialTokens: t.specialTokens).sha256 != t.sha256)
    }

    @Test(arguments: [
        "", "[]", "{}", #"{"type":"other","version":1,"pre_tokenizer":"orchard.unicode-classes.v1","max_chunk_bytes":256,"special_tokens":[],"merges":[]}"#,
        #"{"type":"orchard.byte-level-bpe","version":2,"pre_tokenizer":"orchard.unicode-classes.v1","max_chunk_bytes":256,"special_tokens":[],"merges":[]}"#,
        #"{"type":"orchard.byte-level-bpe","version":1,"pre_tokenizer":"gpt2-regex","max_chunk_bytes":256,"special_tokens":[],"merges":[]}"#,
        #"{"type":"orchard.byte-level-bpe","version":1,"pre_tokenizer":"orchard.unicode-classes.v1","max_chunk_bytes":256,"special_tokens":[],"merges":[[1]]}"#,
        #"{"type":"orchard.byte-level-bpe","version":1,"pre_tokenizer":"orchard.unicode-classes.v1","max_chunk_bytes":256,"special_tokens":[],"merges":[[1,999]]}"#,
        #"{"type":"orchard.byte-level-bpe","version":1,"pre_tokenizer":"orchard.unicode-classes.v1","max_chunk_bytes":256,"special_tokens":[],"merges":[[1,2]],"vocabulary_size":300}"#,
        #"{"type":"orchard.byte-level-bpe","version":1,"pre_tokenizer":"orchard.unicode-classes.v1","max_chunk_bytes":256,"special_tokens":[],"merges":[[1,99999999999]]}"#,
    ])
    func rejectsCorruptFiles(json: String) {
        #expect(throws: TokenizerError.self) { try BPETokenizer.load(json: Data(json.utf8)) }
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: TokenizerError.self) { try BPETokenizer.load(from: URL(fileURLWithPath: "/nonexistent/tokenizer.json")) }
    }
}
