import Foundation

/// Continuation preference pairs with graded corruption (shared/specs/data.md §(c) 2).
///
/// From each sampled paragraph with at least `promptWords + continuationWords` words:
/// prompt = its first `promptWords` words, chosen = " " + the next `continuationWords` words (the
/// true continuation), and up to three rejected continuations, from least to most similar:
/// - `g1-other-domain`: `continuationWords` consecutive words of another domain's text (a chapter of
///   the World English Bible), at a seeded chapter and position;
/// - `g2-same-source`: the words at the same positions of another paragraph of the same book (file);
/// - `g3-edit-KIND`: the true continuation with one local edit, KIND (seeded among those that apply):
///   `entity` (the first name in it, every occurrence, swapped for the next person or place, as it is,
///   in frequency order in the same book), `not` (a "not" removed, or inserted after the first auxiliary
///   verb that can take one), `word` (the first word of frequency rank ≥ 100 replaced by the word of the
///   next rank in the same book).
///
/// Ids: `continuation/PARAGRAPH/GRADE`, e.g. `continuation/emma/12.3/g3-edit-not`; the three pairs of a
/// prompt share its prompt and chosen, so the grades can be compared on the same prompt.
/// Every choice is a function of `seed` and the paragraph id (`PairHash`), so output is deterministic.
public enum ContinuationPairs {
    public struct Options: Sendable, Equatable {
        public var promptWords: Int
        public var continuationWords: Int
        /// Paragraphs sampled (each gives up to three pairs); 0 = every eligible paragraph.
        public var prompts: Int
        public var seed: UInt64

        public init(promptWords: Int = 32, continuationWords: Int = 16, prompts: Int = 1000, seed: UInt64 = 0) {
            self.promptWords = promptWords
            self.continuationWords = continuationWords
            self.prompts = prompts
            self.seed = seed
        }
    }

    /// A book (or file) of the source domain: its paragraphs as whitespace-separated words.
    public struct Book: Sendable {
        public var name: String
        public var paragraphs: [(id: String, words: [String])]

        public init(name: String, paragraphs: [(id: String, words: [String])]) {
            self.name = name
            self.paragraphs = paragraphs
        }

        public init(name: String, paragraphTexts: [(id: String, text: String)]) {
            self.init(name: name, paragraphs: paragraphTexts.map { ($0.id, ScripturePairs.words($0.text)) })
        }
    }

    public struct Counts: Sendable, Equatable, Codable {
        public var books = 0
        public var paragraphs = 0
        public var eligibleParagraphs = 0
        public var prompts = 0
        public var pairs = 0
        /// Pairs per grade id suffix (`g1-other-domain`, `g2-same-source`, `g3-edit-entity`, …).
        public var byGrade: [String: Int] = [:]
    }

    public static let otherDomainGrade = "g1-other-domain"
    public static let sameSourceGrade = "g2-same-source"

    /// `otherDomain`: texts of a different domain, as word lists; those shorter than `continuationWords` are ignored.
    public static func build(books: [Book], otherDomain: [[String]], options: Options) throws -> (pairs: [PreferencePairRecord], counts: Counts) {
        guard options.promptWords >= 1, options.continuationWords >= 1 else {
            throw CorpusError.invalidOption("prompt and continuation words must be at least 1")
        }
        guard options.prompts >= 0 else { throw CorpusError.invalidOption("the number of prompts must not be negative") }
        let span = options.promptWords + options.continuationWords, m = options.continuationWords
        let other = otherDomain.filter { $0.count >= m }
        var counts = Counts(books: books.count, paragraphs: books.reduce(0) { $0 + $1.paragraphs.count })
        struct Eligible { let book: Int; let index: Int; let id: String; let order: UInt64 }
        var eligibleByBook: [[Int]] = []
        var eligible: [Eligible] = []
        for (b, book) in books.enumerated() {
            var indices: [Int] = []
            for (i, paragraph) in book.paragraphs.enumerated() where paragraph.words.count >= span {
                indices.append(i)
                eligible.append(Eligible(book: b, index: i, id: paragraph.id, order: PairHash.hash("prompt:" + paragraph.id, seed: options.seed)))
            }
            eligibleByBook.append(indices)
        }
        counts.eligibleParagraphs = eligible.count
        eligible.sort { ($0.order, $0.id) < ($1.order, $1.id) }
        if options.prompts > 0, eligible.count > options.prompts { eligible = Array(eligible.prefix(options.prompts)) }
        let statistics = books.map { BookStatistics($0) }
        var pairs: [PreferencePairRecord] = []
        var seen = Set<String>()
        for item in eligible {
            let words = books[item.book].paragraphs[item.index].words
            let prompt = words[..<options.promptWords].joined(separator: " ")
            let truth = Array(words[options.promptWords..<span])
            let chosen = " " + truth.joined(separator: " ")
            var made = 0
            func add(_ grade: String, _ rejectedWords: [String]) {
                let rejected = " " + rejectedWords.joined(separator: " ")
                guard rejected != chosen else { return }
                let id = "continuation/\(item.id)/\(grade)"
                guard seen.insert(id).inserted else { return }
                pairs.append(PreferencePairRecord(id: id, prompt: prompt, chosen: chosen, rejected: rejected))
                counts.byGrade[grade, default: 0] += 1
                made += 1
            }
            if !other.isEmpty {
                let text = other[PairHash.pick(other.count, "g1:" + item.id, seed: options.seed)]
                let start = PairHash.pick(text.count - m + 1, "g1-start:" + item.id, seed: options.seed)
                add(otherDomainGrade, Array(text[start..<start + m]))
            }
            let siblings = eligibleByBook[item.book].filter { $0 != item.index }
            if !siblings.isEmpty {
                let sibling = books[item.book].paragraphs[siblings[PairHash.pick(siblings.count, "g2:" + item.id, seed: options.seed)]]
                add(sameSourceGrade, Array(sibling.words[options.promptWords..<span]))
            }
            let edits = Edit.allCases.compactMap { edit in edit.apply(truth, statistics[item.book]).map { (edit, $0) } }
            if !edits.isEmpty {
                let (edit, edited) = edits[PairHash.pick(edits.count, "g3:" + item.id, seed: options.seed)]
                add("g3-edit-\(edit.rawValue)", edited)
            }
            if made > 0 { counts.prompts += 1 }
        }
        pairs.sort { $0.id < $1.id }
        counts.pairs = pairs.count
        return (pairs, counts)
    }

    /// The local edits of grade 3.
    public enum Edit: String, CaseIterable, Sendable {
        case entity, not, word

        /// The edited words, or nil when the edit does not apply to `words`.
        func apply(_ words: [String], _ statistics: BookStatistics) -> [String]? {
            switch self {
            case .entity:
                for token in words {
                    let parts = TokenParts(token)
                    guard let replacement = statistics.neighbourName(parts.word) else { continue }
                    return words.map { other in
                        let p = TokenParts(other)
                        return p.word == parts.word ? p.lead + replacement + p.rest : other
                    }
                }
                return nil
            case .not:
                if let index = words.firstIndex(of: "not") {
                    var edited = words
                    edited.remove(at: index)
                    return edited.isEmpty ? nil : edited
                }
                for index in words.indices.dropLast() where ContinuationPairs.takesNot(words, at: index) {
                    var edited = words
                    edited.insert("not", at: index + 1)
                    return edited
                }
                return nil
            case .word:
                for token in words {
                    let parts = TokenParts(token)
                    guard parts.isPlain, let rank = statistics.wordRank[parts.word], rank >= ContinuationPairs.minimumReplacedRank,
                          statistics.vocabulary.count >= 2 else { continue }
                    let replacement = statistics.vocabulary[rank + 1 < statistics.vocabulary.count ? rank + 1 : rank - 1]
                    var edited = words
                    edited[edited.firstIndex(of: token)!] = parts.lead + replacement + parts.rest
                    return edited
                }
                return nil
            }
        }
    }

    /// Whether "not" can go after `words[index]`: a modal or do-form before a lower-case word ("could go"),
    /// a be-form before a lower-case word ("was pleased"), or a have-form before a past participle (a word
    /// ending in -ed/-en, or a common irregular one: "had heard"); never after "to" ("to have it"). Exact tokens, no punctuation attached.
    static func takesNot(_ words: [String], at index: Int) -> Bool {
        let word = words[index], next = words[index + 1]
        guard index == 0 || words[index - 1].lowercased() != "to",
              let first = next.unicodeScalars.first, first.properties.isLowercase, next != "not" else { return false }
        let nextPlain = TokenParts(next)
        if modalAuxiliaries.contains(word) || beForms.contains(word) { return nextPlain.lead.isEmpty }
        if haveForms.contains(word) {
            return nextPlain.word.hasSuffix("ed") || nextPlain.word.hasSuffix("en") || irregularParticiples.contains(nextPlain.word)
        }
        return false
    }

    static let modalAuxiliaries: Set<String> = ["could", "would", "should", "will", "shall", "must", "might", "may", "can", "did", "does", "do"]
    static let beForms: Set<String> = ["is", "was", "were", "are", "am"]
    static let haveForms: Set<String> = ["had", "has", "have"]
    static let irregularParticiples: Set<String> = [
        "been", "heard", "made", "done", "said", "thought", "felt", "found", "left", "told", "gone", "come", "had",
        "known", "sent", "met", "brought", "kept", "seen", "got", "meant", "lost", "taught", "understood",
    ]
    /// The `word` edit leaves the 100 most frequent words (mostly function words) alone.
    static let minimumReplacedRank = 100
    /// Capitalised words that are titles, pronouns, interjections, adjectives of nationality or dates
    /// rather than names of people or places.
    static let notNames: Set<String> = [
        "I", "Mr", "Mrs", "Miss", "Sir", "Lady", "Lord", "Dr", "Madam", "Ma", "Colonel", "Captain", "Admiral",
        "Lieutenant", "General", "God", "Heaven", "Oh", "O", "Ah", "Chapter", "CHAPTER", "Volume", "VOLUME",
        "English", "French", "Irish", "Scotch", "Italian", "Christmas", "Michaelmas", "Easter",
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]
    /// Abbreviations whose full stop does not end a sentence ("Mr. Elton").
    static let abbreviations: Set<String> = ["Mr", "Mrs", "Dr", "St", "Messrs", "Esq"]
    /// Words before a name that mark it as a place ("at Hartfield", "to London").
    static let placePrepositions: Set<String> = ["at", "in", "into", "near", "from", "to", "of"]

    /// A token split into leading punctuation, its first run of letters, and the rest ("\"Darcy's," →
    /// "\"", "Darcy", "'s,"). `isPlain`: the rest holds no letter or digit.
    struct TokenParts {
        var lead = "", word = "", rest = ""
        var isPlain: Bool { !rest.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil } }

        init(_ token: String) {
            var state = 0
            for scalar in token.unicodeScalars {
                let letter = scalar.properties.isAlphabetic
                if state == 0 && !letter { lead.unicodeScalars.append(scalar); continue }
                if state <= 1 && letter { state = 1; word.unicodeScalars.append(scalar); continue }
                state = 2
                rest.unicodeScalars.append(scalar)
            }
        }
    }

    /// Per-book frequency lists for the edits.
    struct BookStatistics {
        /// Names by descending frequency: capitalised words seen at least 5 times not at a sentence start,
        /// never in lower case, not all capitals, not in `notNames`. A name is a place when at least half of
        /// those occurrences follow one of `placePrepositions`, else a person; the entity edit swaps a name
        /// for the next one of its class in frequency order.
        var people: [String] = []
        var places: [String] = []
        var nameClass: [String: (isPlace: Bool, rank: Int)] = [:]
        /// Lower-case words of at least 3 letters by descending frequency (ties by spelling).
        var vocabulary: [String] = []
        var wordRank: [String: Int] = [:]

        init(_ book: Book) {
            var lower: [String: Int] = [:], capitalisedInside: [String: Int] = [:], afterPreposition: [String: Int] = [:]
            for paragraph in book.paragraphs {
                var sentenceStart = true
                var previousWord = ""
                for token in paragraph.words {
                    let parts = TokenParts(token)
                    defer {
                        let last = token.unicodeScalars.reversed().first { !"\"'’”)_".unicodeScalars.contains($0) }
                        if !(parts.isPlain && ContinuationPairs.abbreviations.contains(parts.word) && parts.rest == ".") {
                            sentenceStart = last.map { ".!?:".unicodeScalars.contains($0) } ?? sentenceStart
                        } else {
                            sentenceStart = false
                        }
                        previousWord = parts.rest.isEmpty && parts.lead.isEmpty ? parts.word : ""
                    }
                    guard let first = parts.word.unicodeScalars.first else { continue }
                    if first.properties.isLowercase {
                        if parts.isPlain { lower[parts.word, default: 0] += 1 }
                    } else if first.properties.isUppercase, !sentenceStart, parts.lead.isEmpty {
                        capitalisedInside[parts.word, default: 0] += 1
                        if ContinuationPairs.placePrepositions.contains(previousWord) { afterPreposition[parts.word, default: 0] += 1 }
                    }
                }
            }
            let names = capitalisedInside.filter { word, count in
                count >= 5 && word.unicodeScalars.count >= 2 && lower[word.lowercased()] == nil && word.uppercased() != word
                    && !ContinuationPairs.notNames.contains(word)
            }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            for (name, count) in names {
                if 2 * (afterPreposition[name] ?? 0) >= count {
                    nameClass[name] = (true, places.count); places.append(name)
                } else {
                    nameClass[name] = (false, people.count); people.append(name)
                }
            }
            vocabulary = lower.filter { $0.key.unicodeScalars.count >= 3 }
                .sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
            for (rank, word) in vocabulary.enumerated() { wordRank[word] = rank }
        }

        /// The name after `name` in its class's frequency order (the one before it for the last); nil when
        /// `name` is not a name or is alone in its class.
        func neighbourName(_ name: String) -> String? {
            guard let (isPlace, rank) = nameClass[name] else { return nil }
            let list = isPlace ? places : people
            guard list.count >= 2 else { return nil }
            return list[rank + 1 < list.count ? rank + 1 : rank - 1]
        }
    }
}
