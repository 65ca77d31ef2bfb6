import Foundation

/// Mechanical knowledge probes about a text (MUSE's KnowMem QA was written by GPT-4; docs/data.md (d)): an entity
/// cloze. Sentences of 8–40 words; a proper noun is a capitalised word seen ≥ `minimumCount` times as a non-initial
/// word and at most 5 % as often in lower case, minus a stop list; the last proper noun of a sentence that is not its
/// first word is the answer. The item keeps the sentence before the answer (`prefix`, what a left-to-right model is
/// prompted with) and the whole sentence with the answer blanked (`question`).
public struct EntityClozeItem: Sendable, Hashable, Codable {
    public var question: String
    public var prefix: String
    public var answer: String
}

public enum EntityCloze {
    static let stopWords: Set<String> = ["I", "Mr", "Mrs", "Miss", "Sir", "Lady", "Lord", "Dr", "Chapter", "The", "A", "An", "And", "But",
                                         "He", "She", "It", "They", "We", "You", "His", "Her", "My", "Your", "Their", "Our", "This",
                                         "That", "There", "What", "When", "Where", "Which", "Who", "Why", "How", "If", "In", "On",
                                         "At", "Of", "To", "For", "With", "As", "By", "Not", "No", "Yes", "Oh", "O", "God", "Lord's",
                                         "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Christmas"]

    /// Sentences: split after `.`, `!`, `?` (followed by whitespace or a closing quote), newlines joined.
    public static func sentences(_ text: String) -> [String] {
        var out: [String] = [], current = ""
        let chars = Array(text.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: " "))
        var i = 0
        while i < chars.count {
            current.append(chars[i])
            if ".!?".contains(chars[i]) {
                var j = i + 1
                while j < chars.count, "\"'’”)".contains(chars[j]) { current.append(chars[j]); j += 1 }
                if j >= chars.count || chars[j] == " " {
                    let s = current.trimmingCharacters(in: .whitespaces)
                    if !s.isEmpty { out.append(s) }
                    current = ""
                }
                i = j
                continue
            }
            i += 1
        }
        let s = current.trimmingCharacters(in: .whitespaces)
        if !s.isEmpty { out.append(s) }
        return out
    }

    /// Words with their character ranges (letters and apostrophes inside a word).
    static func words(_ s: String) -> [(word: String, range: Range<String.Index>)] {
        var out: [(String, Range<String.Index>)] = []
        var start: String.Index? = nil
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            let inWord = c.isLetter || (c == "'" && start != nil)
            if inWord { if start == nil { start = i } }
            else if let st = start { out.append((String(s[st..<i]).trimmingCharacters(in: CharacterSet(charactersIn: "'")), st..<i)); start = nil }
            i = s.index(after: i)
        }
        if let st = start { out.append((String(s[st...]).trimmingCharacters(in: CharacterSet(charactersIn: "'")), st..<s.endIndex)) }
        return out
    }

    /// Proper nouns of a text (the rule above).
    public static func properNouns(in text: String, minimumCount: Int = 5) -> Set<String> {
        var capital: [String: Int] = [:], lower: [String: Int] = [:]
        for s in sentences(text) {
            for (i, w) in words(s).enumerated() {
                guard let first = w.word.first else { continue }
                if first.isUppercase { if i > 0 { capital[w.word, default: 0] += 1 } }
                else { lower[w.word.capitalized, default: 0] += 1 }
            }
        }
        return Set(capital.filter { word, n in
            n >= minimumCount && Double(lower[word] ?? 0) <= 0.05 * Double(n) && !stopWords.contains(word) && word.count >= 2
                && word.dropFirst().allSatisfy { $0.isLowercase }
        }.keys)
    }

    /// Cloze items of `text`; `excluding`: answers to drop (e.g. names that also occur in the retain texts).
    public static func items(from text: String, excluding: Set<String> = [], minimumCount: Int = 5) -> [EntityClozeItem] {
        let nouns = properNouns(in: text, minimumCount: minimumCount).subtracting(excluding)
        var out: [EntityClozeItem] = []
        for s in sentences(text) {
            let ws = words(s)
            guard (8...40).contains(ws.count) else { continue }
            guard let last = ws.indices.dropFirst().last(where: { nouns.contains(ws[$0].word) }) else { continue }
            let r = ws[last].range
            let prefix = String(s[..<r.lowerBound])
            let question = prefix + "____" + String(s[r.upperBound...])
            out.append(EntityClozeItem(question: question, prefix: prefix, answer: ws[last].word))
        }
        return out
    }
}
