import Foundation
import OrchardTensor

/// Debian package long descriptions labelled by Section: the topic-model corpus (data.md (e)).
public enum DebianDescriptions {
    public struct Description: Equatable, Sendable {
        public let package: String
        public let source: String
        public let section: String
        public let descriptionMD5: String
        public let synopsis: String
        public let text: String

        public var wordCount: Int { text.split(whereSeparator: { $0.isWhitespace }).count }
    }

    public enum Variant: String, CaseIterable, Sendable {
        /// Every unique description that has a Section.
        case all
        /// Boilerplate package families dropped, at least 20 words.
        case clean
        /// `clean`, one description per source package, only the 16 clearest sections.
        case perSource = "per-source"
    }

    /// The 16 sections of the per-source variant (data.md (e)).
    public static let perSourceSections: Set<String> = [
        "science", "net", "admin", "games", "sound", "text", "graphics", "web",
        "math", "mail", "editors", "video", "database", "electronics", "hamradio", "vcs",
    ]

    /// Package-name families whose descriptions are templated boilerplate (libraries, -dev/-doc/-dbg
    /// splits, language-ecosystem repackagings, fonts, dictionaries, firmware, desktop suites).
    static let boilerplate = try! NSRegularExpression(pattern:
        #"^(lib|golang-|librust-|node-|r-cran-|r-bioc-|haskell-|libghc|php-|ruby-|fonts?-|texlive|gir1\.2-|elpa-|cl-|ocaml|ttf-|xfonts|hunspell|aspell|myspell|hyphen|mythes|firmware|linux-|kde|plasma|gnome|qml)|(-dev|-doc|-dbg|-data|-l10n|-locale)$"#)

    public static func isBoilerplate(_ package: String) -> Bool {
        boilerplate.firstMatch(in: package, range: NSRange(package.startIndex..., in: package)) != nil
    }

    /// Joins `Translation-en` (Package, Description-md5, Description-en) with the archive's package
    /// stanzas (`apt-cache dumpavail`) on (Package, Description-md5) for Section and Source; one
    /// entry per description md5, in Translation-en order.
    public static func join(translation: String, packages: String) throws -> [Description] {
        var meta: [String: (section: String, source: String)] = [:]
        for stanza in try Deb822.parse(packages) {
            guard let package = stanza["Package"], let md5 = stanza["Description-md5"], let section = stanza["Section"] else { continue }
            let source = (stanza["Source"] ?? package).split(separator: " ").first.map(String.init) ?? package
            let key = package + "\u{0}" + md5
            if meta[key] == nil { meta[key] = (lastComponent(section), source) }
        }
        var seen = Set<String>()
        var result: [Description] = []
        for stanza in try Deb822.parse(translation) {
            guard let package = stanza["Package"], let md5 = stanza["Description-md5"], let value = stanza["Description-en"],
                  let info = meta[package + "\u{0}" + md5], seen.insert(md5).inserted else { continue }
            let (synopsis, long) = Deb822.description(value)
            result.append(Description(package: package, source: info.source, section: info.section,
                                      descriptionMD5: md5, synopsis: synopsis, text: long))
        }
        return result
    }

    /// Descriptions of the packages installed on this machine (`/var/lib/dpkg/status`): no download.
    public static func installed(statusFile: URL) throws -> [Description] {
        let status = try LocalFiles.text(statusFile)
        var result: [Description] = []
        for stanza in try Deb822.parse(status) {
            guard let package = stanza["Package"], let value = stanza["Description"], let section = stanza["Section"],
                  stanza["Status"]?.hasSuffix(" installed") ?? false else { continue }
            let (synopsis, long) = Deb822.description(value)
            guard !long.isEmpty else { continue }
            let source = (stanza["Source"] ?? package).split(separator: " ").first.map(String.init) ?? package
            let md5 = SHA256Hasher.hexDigest(value).prefix(32)
            result.append(Description(package: package, source: source, section: lastComponent(section),
                                      descriptionMD5: String(md5), synopsis: synopsis, text: long))
        }
        return result.sorted { $0.package < $1.package }
    }

    public static func select(_ descriptions: [Description], variant: Variant, minimumWords: Int = 20) -> [Description] {
        switch variant {
        case .all:
            return descriptions
        case .clean:
            return descriptions.filter { !isBoilerplate($0.package) && $0.wordCount >= minimumWords }
        case .perSource:
            // One per source package: the binary named like the source if present, else the first by name.
            var best: [String: Description] = [:]
            for description in select(descriptions, variant: .clean, minimumWords: minimumWords)
            where perSourceSections.contains(description.section) {
                if let current = best[description.source] {
                    let currentMatches = current.package == current.source, candidateMatches = description.package == description.source
                    if candidateMatches && !currentMatches || candidateMatches == currentMatches && description.package < current.package {
                        best[description.source] = description
                    }
                } else {
                    best[description.source] = description
                }
            }
            return best.values.sorted { $0.package < $1.package }
        }
    }

    /// `{id, domain: SECTION, text}` documents; the text is the synopsis, a blank line, the long description.
    public static func documents(_ descriptions: [Description]) -> [Document] {
        descriptions.map {
            Document(id: "debian-descriptions/\($0.package):\($0.descriptionMD5)", domain: $0.section,
                     text: $0.synopsis + "\n\n" + $0.text)
        }
    }

    /// "contrib/net" → "net": the section without its archive area.
    static func lastComponent(_ section: String) -> String {
        String(section.split(separator: "/").last ?? Substring(section))
    }
}
