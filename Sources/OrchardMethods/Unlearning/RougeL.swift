import Foundation

/// ROUGE-L as the `rouge_score` package computes it with its defaults (no stemmer), which MUSE reports:
///   tokens(s) = lowercase s, replace every run of characters outside [a-z0-9] by one space, split on spaces
///               (so letters outside ASCII are dropped, as there);
///   LCS = longest common subsequence of the two token lists;
///   P = LCS/|prediction|, R = LCS/|reference|, F = 2PR/(P+R), and all three are 0 when either list is empty.
public enum RougeL {
    public struct Score: Sendable, Equatable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
    }

    public static func tokens(_ text: String) -> [String] {
        var out: [String] = [], current: [UInt8] = []
        for b in text.lowercased().utf8 {
            if (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) { current.append(b) }
            else if !current.isEmpty { out.append(String(decoding: current, as: UTF8.self)); current.removeAll(keepingCapacity: true) }
        }
        if !current.isEmpty { out.append(String(decoding: current, as: UTF8.self)) }
        return out
    }

    /// Length of the longest common subsequence (O(|a|·|b|) time, O(|b|) memory).
    public static func lcs<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1), row = previous
        for x in a {
            for j in 1...b.count { row[j] = x == b[j - 1] ? previous[j - 1] + 1 : Swift.max(previous[j], row[j - 1]) }
            swap(&previous, &row)
        }
        return previous[b.count]
    }

    public static func score(prediction: String, reference: String) -> Score {
        let p = tokens(prediction), r = tokens(reference)
        guard !p.isEmpty, !r.isEmpty else { return Score(precision: 0, recall: 0, f1: 0) }
        let l = Double(lcs(p, r))
        let precision = l / Double(p.count), recall = l / Double(r.count)
        return Score(precision: precision, recall: recall, f1: precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0)
    }
}
