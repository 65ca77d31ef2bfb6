import Foundation
import OrchardTensor

public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case invalidVocabularySize(requested: Int, minimum: Int)
    case invalidMerge(index: Int, reason: String)
    case invalidSpecialToken(String)
    case invalidFile(String)
    case unknownTokenID(Int32, vocabularySize: Int)

    public var description: String {
        switch self {
        case let .invalidVocabularySize(requested, minimum):
            return "tokenizer: vocabulary size \(requested) is below the minimum \(minimum) (256 byte tokens + special tokens)"
        case let .invalidMerge(index, reason): return "tokenizer: merge \(index): \(reason)"
        case let .invalidSpecialToken(reason): return "tokenizer: special token: \(reason)"
        case let .invalidFile(reason): return "tokenizer file: \(reason)"
        case let .unknownTokenID(id, size): return "tokenizer: token id \(id) is outside the vocabulary (size \(size))"
        }
    }
}

/// Byte-level BPE in the GPT-2 manner: ids 0...255 are the raw bytes, id 256+i is the i-th learned merge
/// of two earlier tokens, then the special tokens (never produced by `encode`, which only sees bytes).
/// Because every byte is a token, `decode(encode(x)) == x` for every byte string, invalid UTF-8 included.
/// Text is first split by `ByteLevelPreTokenizer`, so merges never cross word/number/punctuation boundaries.
public final class BPETokenizer: Sendable {
    public struct Merge: Sendable, Hashable {
        public var left: Int32
        public var right: Int32
        public init(_ left: Int32, _ right: Int32) {
            self.left = left
            self.right = right
        }
    }

    public static let formatName = "orchard.byte-level-bpe"
    public static let formatVersion = 1

    public let merges: [Merge]
    public let specialTokens: [String]
    /// Hex SHA-256 of the canonical JSON (`jsonData`): the tokenizer's identity in checkpoint metadata.
    public let sha256: String
    /// (left << 32 | right) → merged token id; a lower id is an earlier merge (higher priority).
    private let mergedID: [UInt64: Int32]
    private let tokenBytes: [[UInt8]]

    public var vocabularySize: Int { 256 + merges.count + specialTokens.count }
    public var fingerprint: String { sha256 }

    public init(merges: [Merge], specialTokens: [String] = []) throws {
        var table: [UInt64: Int32] = [:]
        table.reserveCapacity(merges.count)
        var bytes: [[UInt8]] = (0..<256).map { [UInt8($0)] }
        for (i, m) in merges.enumerated() {
            let limit = 256 + i
            guard m.left >= 0, m.right >= 0, Int(m.left) < limit, Int(m.right) < limit else {
                throw TokenizerError.invalidMerge(index: i, reason: "(\(m.left), \(m.right)) must refer to tokens below \(limit)")
            }
            let key = Self.pairKey(m.left, m.right)
            guard table[key] == nil else { throw TokenizerError.invalidMerge(index: i, reason: "pair (\(m.left), \(m.right)) is merged twice") }
            table[key] = Int32(limit)
            bytes.append(bytes[Int(m.left)] + bytes[Int(m.right)])
        }
        var seen = Set<String>()
        for token in specialTokens {
            guard !token.isEmpty else { throw TokenizerError.invalidSpecialToken("empty name") }
            guard seen.insert(token).inserted else { throw TokenizerError.invalidSpecialToken("\"\(token)\" appears twice") }
            bytes.append(Array(token.utf8))
        }
        self.merges = merges
        self.specialTokens = specialTokens
        self.mergedID = table
        self.tokenBytes = bytes
        self.sha256 = SHA256Hasher.hexDigest(Self.canonicalJSON(merges: merges, specialTokens: specialTokens))
    }

    @inline(__always) static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    // MARK: Encoding

    public func encode(_ text: String) -> [Int32] { encode(bytes: Array(text.utf8)) }

    public func encode(bytes: [UInt8]) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(bytes.count / 2 + 1)
        var symbols: [Int32] = []
        bytes.withUnsafeBufferPointer { buffer in
            ByteLevelPreTokenizer.forEachChunk(buffer) { range in
                if range.count == 1 {
                    out.append(Int32(buffer[range.lowerBound]))
                    return
                }
                symbols.removeAll(keepingCapacity: true)
                for i in range { symbols.append(Int32(buffer[i])) }
                applyMerges(&symbols)
                out.append(contentsOf: symbols)
            }
        }
        return out
    }

    /// GPT-2's `bpe()`: repeatedly merge every occurrence of the adjacent pair learned earliest.
    private func applyMerges(_ symbols: inout [Int32]) {
        while symbols.count >= 2 {
            var best: Int32 = .max
            for i in 0..<(symbols.count - 1) {
                if let id = mergedID[Self.pairKey(symbols[i], symbols[i + 1])], id < best { best = id }
            }
            guard best != .max else { return }
            let merge = merges[Int(best) - 256]
            var write = 0
            var read = 0
            while read < symbols.count {
                if read + 1 < symbols.count, symbols[read] == merge.left, symbols[read + 1] == merge.right {
                    symbols[write] = best
                    read += 2
                } else {
                    symbols[write] = symbols[read]
                    read += 1
                }
                write += 1
            }
            symbols.removeLast(symbols.count - write)
        }
    }

    /// The id of a special token (e.g. an end-of-text marker), if the tokenizer has it.
    public func specialTokenID(_ token: String) -> Int32? {
        specialTokens.firstIndex(of: token).map { Int32(256 + merges.count + $0) }
    }

    // MARK: Decoding

    /// Bytes of the given ids; an id outside the vocabulary decodes to U+FFFD (use `decodeChecked` to reject it).
    public func decode(_ ids: [Int32]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 3)
        for id in ids {
            if id >= 0, Int(id) < tokenBytes.count { out.append(contentsOf: tokenBytes[Int(id)]) } else { out.append(contentsOf: [0xEF, 0xBF, 0xBD]) }
        }
        return out
    }

    public func decodeChecked(_ ids: [Int32]) throws -> [UInt8] {
        if let bad = ids.first(where: { $0 < 0 || Int($0) >= tokenBytes.count }) {
            throw TokenizerError.unknownTokenID(bad, vocabularySize: vocabularySize)
        }
        return decode(ids)
    }

    /// Decoded bytes as text, invalid UTF-8 replaced by U+FFFD (for display).
    public func decodeText(_ ids: [Int32]) -> String { String(decoding: decode(ids), as: UTF8.self) }

    /// The bytes a single token stands for.
    public func bytes(of id: Int32) throws -> [UInt8] { try decodeChecked([id]) }

    // MARK: Persistence

    /// Canonical JSON: fixed key order, no whitespace, so equal tokenizers have equal bytes and hashes.
    static func canonicalJSON(merges: [Merge], specialTokens: [String]) -> [UInt8] {
        var s = "{\"type\":\(JSONStringLiteral.quote(formatName)),\"version\":\(formatVersion)"
        s += ",\"pre_tokenizer\":\(JSONStringLiteral.quote(ByteLevelPreTokenizer.name)),\"max_chunk_bytes\":\(ByteLevelPreTokenizer.maxChunkBytes)"
        s += ",\"vocabulary_size\":\(256 + merges.count + specialTokens.count)"
        s += ",\"special_tokens\":[" + specialTokens.map { JSONStringLiteral.quote($0) }.joined(separator: ",") + "]"
        s += ",\"merges\":[" + merges.map { "[\($0.left),\($0.right)]" }.joined(separator: ",") + "]}\n"
        return Array(s.utf8)
    }

    public var jsonData: Data { Data(Self.canonicalJSON(merges: merges, specialTokens: specialTokens)) }

    /// Writes the canonical JSON atomically; the file's SHA-256 equals `sha256`.
    public func save(to url: URL) throws {
        try AtomicFile.write(jsonData, to: url)
    }

    private struct FileFormat: Decodable {
        var type: String
        var version: Int
        var pre_tokenizer: String
        var max_chunk_bytes: Int
        var vocabulary_size: Int?
        var special_tokens: [String]
        var merges: [[Int64]]
    }

    public static func load(from url: URL) throws -> BPETokenizer {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.invalidFile("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try load(json: data)
    }

    public static func load(json data: Data) throws -> BPETokenizer {
        let file: FileFormat
        do { file = try JSONDecoder().decode(FileFormat.self, from: data) } catch {
            throw TokenizerError.invalidFile("not a tokenizer JSON: \(error)")
        }
        guard file.type == formatName else { throw TokenizerError.invalidFile("type is \"\(file.type)\", expected \"\(formatName)\"") }
        guard file.version == formatVersion else { throw TokenizerError.invalidFile("version \(file.version) is not supported (expected \(formatVersion))") }
        guard file.pre_tokenizer == ByteLevelPreTokenizer.name, file.max_chunk_bytes == ByteLevelPreTokenizer.maxChunkBytes else {
            throw TokenizerError.invalidFile("pre-tokenizer \(file.pre_tokenizer)/\(file.max_chunk_bytes) differs from this build's \(ByteLevelPreTokenizer.name)/\(ByteLevelPreTokenizer.maxChunkBytes)")
        }
        var merges: [Merge] = []
        merges.reserveCapacity(file.merges.count)
        for (i, pair) in file.merges.enumerated() {
            guard pair.count == 2, let a = Int32(exactly: pair[0]), let b = Int32(exactly: pair[1]) else {
                throw TokenizerError.invalidMerge(index: i, reason: "expected a pair of token ids, got \(pair)")
            }
            merges.append(Merge(a, b))
        }
        let tokenizer = try BPETokenizer(merges: merges, specialTokens: file.special_tokens)
        if let size = file.vocabulary_size, size != tokenizer.vocabularySize {
            throw TokenizerError.invalidFile("vocabulary_size \(size) disagrees with 256 + \(merges.count) merges + \(file.special_tokens.count) special tokens")
        }
        return tokenizer
    }
}
