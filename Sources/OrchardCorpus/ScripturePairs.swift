import Foundation

/// KJV ↔ World English Bible verse-aligned preference pairs (shared/specs/data.md §(c) 1).
///
/// - Alignment: by OSIS reference (book, chapter, verse). Verses missing in either module are dropped,
///   and so are verses whose two renderings are identical after whitespace normalisation, and verses
///   whose word counts differ more than `maxLengthRatio`-fold, which are not two renderings of one text:
///   the WEB's Romans 14:23 carries the doxology that the KJV has as Romans 16:25–27, and the WEB's
///   1 John 5:7 lacks the Comma Johanneum (these two are the only ones at the default ratio 3).
/// - Pair ("write in modern English"): prompt = up to `contextVerses` preceding WEB verses of the same
///   chapter with their reference range, a newline, then the verse's reference; chosen = " " + WEB verse,
///   rejected = " " + KJV verse. Responses start with the space that separates them from the reference,
///   so that encoding prompt and response separately gives the same tokens as encoding their concatenation
///   with Orchard's GPT-2-style pre-tokenizer (a space joins the word after it).
/// - Single-token pair: the two renderings share a prefix of at least `minSharedWords` whitespace-separated
///   words; the prompt is extended by that prefix, and chosen / rejected are the first words where they
///   differ (their leading run of letters, apostrophes inside a word kept: " to" / " unto"). Skipped when
///   the divergence is not a change of word: one rendering ends there, a diverging word starts with
///   punctuation (a WEB quotation mark), the two words have the same letters (only punctuation after them
///   differs), or they differ only in case.
public enum ScripturePairs {
    public struct Options: Sendable, Equatable {
        /// Preceding WEB verses (same chapter) quoted in the prompt.
        public var contextVerses: Int
        /// Shared word prefix needed for a single-token pair.
        public var minSharedWords: Int
        /// Pairs whose word counts differ more than this factor are treated as misaligned and dropped.
        public var maxLengthRatio: Double

        public init(contextVerses: Int = 2, minSharedWords: Int = 3, maxLengthRatio: Double = 3) {
            self.contextVerses = contextVerses
            self.minSharedWords = minSharedWords
            self.maxLengthRatio = maxLengthRatio
        }
    }

    public struct Counts: Sendable, Equatable, Codable {
        public var kjvVerses = 0
        public var webVerses = 0
        /// References present in both modules.
        public var aligned = 0
        public var identical = 0
        public var lengthMismatch = 0
        public var pairs = 0
        /// Pairs sharing a prefix of at least `minSharedWords` words (before the single-token filters).
        public var sharedPrefixPairs = 0
        public var singleToken = 0
        /// Single-token candidates skipped, by reason (`end`, `punctuation`, `same-letters`, `case-only`).
        public var singleTokenSkipped: [String: Int] = [:]
    }

    public struct Output: Sendable {
        public var pairs: [PreferencePairRecord]
        public var singleToken: [PreferencePairRecord]
        public var counts: Counts
    }

    /// `kjv` and `web` in module order (canonical book order); output follows the KJV's order.
    public static func build(kjv: [SwordZText.Verse], web: [SwordZText.Verse], options: Options = Options()) -> Output {
        struct Key: Hashable { let book: String; let chapter: Int; let verse: Int }
        var webByKey: [Key: String] = [:]
        for verse in web { webByKey[Key(book: verse.book, chapter: verse.chapter, verse: verse.verse)] = verse.text }
        var counts = Counts(kjvVerses: kjv.count, webVerses: web.count)
        var pairs: [PreferencePairRecord] = [], singles: [PreferencePairRecord] = []
        for verse in kjv {
            let key = Key(book: verse.book, chapter: verse.chapter, verse: verse.verse)
            guard let modern = webByKey[key] else { continue }
            counts.aligned += 1
            let modernWords = words(modern), oldWords = words(verse.text)
            if modernWords == oldWords { counts.identical += 1; continue }
            let (shorter, longer) = (min(modernWords.count, oldWords.count), max(modernWords.count, oldWords.count))
            if Double(longer) > options.maxLengthRatio * Double(max(shorter, 1)) { counts.lengthMismatch += 1; continue }
            // Context: the WEB verses right before this one in the same chapter, contiguous.
            var context: [(Int, String)] = []
            var previous = verse.verse - 1
            while context.count < options.contextVerses, previous >= 1,
                  let text = webByKey[Key(book: verse.book, chapter: verse.chapter, verse: previous)] {
                context.insert((previous, words(text).joined(separator: " ")), at: 0)
                previous -= 1
            }
            let name = bookName(verse.book)
            var prompt = ""
            if let first = context.first, let last = context.last {
                let range = first.0 == last.0 ? "\(first.0)" : "\(first.0)-\(last.0)"
                prompt = "\(name) \(verse.chapter):\(range) " + context.map(\.1).joined(separator: " ") + "\n"
            }
            prompt += "\(name) \(verse.chapter):\(verse.verse)"
            let reference = "\(verse.book).\(verse.chapter).\(verse.verse)"
            pairs.append(PreferencePairRecord(id: "kjv_web/\(reference)", prompt: prompt,
                                              chosen: " " + modernWords.joined(separator: " "),
                                              rejected: " " + oldWords.joined(separator: " ")))
            switch singleToken(chosen: modernWords, rejected: oldWords, minSharedWords: options.minSharedWords) {
            case .tooShort: break
            case .skipped(let reason):
                counts.sharedPrefixPairs += 1
                counts.singleTokenSkipped[reason, default: 0] += 1
            case .pair(let prefix, let chosen, let rejected):
                counts.sharedPrefixPairs += 1
                singles.append(PreferencePairRecord(id: "kjv_web_single_token/\(reference)",
                                                    prompt: prompt + " " + prefix.joined(separator: " "),
                                                    chosen: " " + chosen, rejected: " " + rejected))
            }
        }
        counts.pairs = pairs.count
        counts.singleToken = singles.count
        return Output(pairs: pairs, singleToken: singles, counts: counts)
    }

    public enum SingleToken: Equatable, Sendable {
        /// The shared prefix is shorter than required (or the renderings are identical).
        case tooShort
        /// A long enough prefix, but the divergence is not a change of word.
        case skipped(String)
        /// Shared prefix words, then the first diverging word of each rendering (letters only).
        case pair(prefix: [String], chosen: String, rejected: String)
    }

    /// The single-token rule on two word lists (see the type's documentation).
    public static func singleToken(chosen: [String], rejected: [String], minSharedWords: Int) -> SingleToken {
        var shared = 0
        while shared < chosen.count, shared < rejected.count, chosen[shared] == rejected[shared] { shared += 1 }
        guard shared >= minSharedWords, chosen != rejected else { return .tooShort }
        guard shared < chosen.count, shared < rejected.count else { return .skipped("end") }
        guard let a = leadingWord(chosen[shared]), let b = leadingWord(rejected[shared]) else { return .skipped("punctuation") }
        if a == b { return .skipped("same-letters") }
        if a.lowercased() == b.lowercased() { return .skipped("case-only") }
        return .pair(prefix: Array(chosen[..<shared]), chosen: a, rejected: b)
    }

    /// The single-token rule on two texts, split at whitespace.
    public static func singleToken(chosen: String, rejected: String, minSharedWords: Int) -> SingleToken {
        singleToken(chosen: words(chosen), rejected: words(rejected), minSharedWords: minSharedWords)
    }

    /// The run of letters at the start of `token`, with apostrophes (' or ’) between letters kept
    /// ("Yahweh’s", "doesn’t"); nil when `token` does not start with a letter.
    public static func leadingWord(_ token: String) -> String? {
        var scalars = String.UnicodeScalarView()
        var pendingApostrophe: Unicode.Scalar?
        for scalar in token.unicodeScalars {
            if scalar.properties.isAlphabetic {
                if let apostrophe = pendingApostrophe { scalars.append(apostrophe); pendingApostrophe = nil }
                scalars.append(scalar)
            } else if (scalar == "'" || scalar == "\u{2019}"), !scalars.isEmpty, pendingApostrophe == nil {
                pendingApostrophe = scalar
            } else {
                break
            }
        }
        return scalars.isEmpty ? nil : String(scalars)
    }

    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).map(String.init)
    }

    /// English name of an OSIS book id ("1Cor" → "1 Corinthians"); the id itself when unknown.
    public static func bookName(_ osis: String) -> String { bookNames[osis] ?? osis }

    static let bookNames: [String: String] = [
        "Gen": "Genesis", "Exod": "Exodus", "Lev": "Leviticus", "Num": "Numbers", "Deut": "Deuteronomy",
        "Josh": "Joshua", "Judg": "Judges", "Ruth": "Ruth", "1Sam": "1 Samuel", "2Sam": "2 Samuel",
        "1Kgs": "1 Kings", "2Kgs": "2 Kings", "1Chr": "1 Chronicles", "2Chr": "2 Chronicles", "Ezra": "Ezra",
        "Neh": "Nehemiah", "Esth": "Esther", "Job": "Job", "Ps": "Psalm", "Prov": "Proverbs",
        "Eccl": "Ecclesiastes", "Song": "Song of Solomon", "Isa": "Isaiah", "Jer": "Jeremiah",
        "Lam": "Lamentations", "Ezek": "Ezekiel", "Dan": "Daniel", "Hos": "Hosea", "Joel": "Joel",
        "Amos": "Amos", "Obad": "Obadiah", "Jonah": "Jonah", "Mic": "Micah", "Nah": "Nahum",
        "Hab": "Habakkuk", "Zeph": "Zephaniah", "Hag": "Haggai", "Zech": "Zechariah", "Mal": "Malachi",
        "Matt": "Matthew", "Mark": "Mark", "Luke": "Luke", "John": "John", "Acts": "Acts", "Rom": "Romans",
        "1Cor": "1 Corinthians", "2Cor": "2 Corinthians", "Gal": "Galatians", "Eph": "Ephesians",
        "Phil": "Philippians", "Col": "Colossians", "1Thess": "1 Thessalonians", "2Thess": "2 Thessalonians",
        "1Tim": "1 Timothy", "2Tim": "2 Timothy", "Titus": "Titus", "Phlm": "Philemon", "Heb": "Hebrews",
        "Jas": "James", "1Pet": "1 Peter", "2Pet": "2 Peter", "1John": "1 John", "2John": "2 John",
        "3John": "3 John", "Jude": "Jude", "Rev": "Revelation",
    ]
}

extension SwordZText {
    /// Like `verses(directory:)`, with two fixes the WEB module needs:
    /// - a verse slot's text ends where its chapter or book ends (`<chapter eID=…>` or a book
    ///   `<div eID=…>`): the WEB appends its glossary (17 KB) to Revelation 22:21, and one slot of Greek
    ///   Esther holds two chapters (a slot of Greek Daniel that does the same also starts a chapter and is
    ///   left whole; neither book is in the KJV);
    /// - a footnote or heading counts as a space between the words around it (`spaceOutNotes`).
    /// The KJV needs neither, so its verses are the same as `verses(directory:)`'s (tested).
    public static func versesEndingAtChapterEnd(directory: URL) throws -> [Verse] {
        var verses: [Verse] = []
        for testament in ["ot", "nt"] {
            let entries = try entries(directory: directory, testament: testament)
            verses += numberVerses(entries.map { spaceOutNotes(cutAtChapterEnd($0)) })
        }
        return verses
    }

    private static let noteOrTitle = try! NSRegularExpression(
        pattern: #"<(note|title)\b[^>]*/>|<(note|title)\b[^>]*>.*?</\2\s*>"#, options: [.dotMatchesLineSeparators])

    /// Footnotes and headings replaced by a space (`OSIS.plainText` drops them without one): the WEB puts
    /// a footnote between two words with no space around it ("God<note>…</note> created" would read
    /// "Godcreated"; 226 of the paired verses were affected). The KJV's notes always sit next to a space.
    static func spaceOutNotes(_ entry: String) -> String {
        guard entry.contains("<note") || entry.contains("<title") else { return entry }
        return noteOrTitle.stringByReplacingMatches(in: entry, range: NSRange(entry.startIndex..., in: entry), withTemplate: " ")
    }

    /// The entry up to its first chapter-end or book-end marker. An entry that starts a chapter or book
    /// is left whole: `numberVerses` reads its tags.
    static func cutAtChapterEnd(_ entry: String) -> String {
        guard entry.contains("eID") else { return entry }
        let tags = OSIS.tags(in: entry)
        if tags.contains(where: { ($0.name == "chapter" || $0.name == "div") && $0.attributes["sID"] != nil && $0.attributes["osisID"] != nil }) {
            return entry
        }
        var searchFrom = entry.startIndex
        while let open = entry.range(of: "<", range: searchFrom..<entry.endIndex)?.lowerBound,
              let close = entry[open...].firstIndex(of: ">") {
            let body = entry[open...close]
            if body.hasPrefix("<chapter") || body.hasPrefix("<div"), body.contains("eID"),
               let tag = OSIS.tags(in: String(body)).first,
               tag.attributes["eID"] != nil, tag.name == "chapter" || (tag.name == "div" && tag.attributes["type"] == "book") {
                return String(entry[..<open])
            }
            searchFrom = entry.index(after: close)
        }
        return entry
    }
}
