import Foundation

/// Labelled real text with no download: the package stanzas of a dpkg status file (/var/lib/dpkg/status
/// on every Debian machine), read with the package's one deb822 parser (`Deb822`). One document per
/// package name (the first stanza when a package is installed for several architectures):
/// id = package name, domain = Section without its archive area ("contrib/net" → "net"; "" when the stanza
/// has none), text = the Description's synopsis line, then its continuation lines with their leading space
/// removed and each " ." paragraph marker turned into an empty line, joined by "\n".
public enum DebianStatusCorpus {
    public static let defaultPath = "/var/lib/dpkg/status"

    public static func load(path: String = defaultPath) throws -> [Document] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CorpusError.missingSource("\(path) does not exist or is not readable")
        }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    public static func parse(_ text: String) throws -> [Document] {
        var seen = Set<String>()
        var documents: [Document] = []
        for stanza in try Deb822.parse(text) {
            guard let package = stanza["Package"], let description = stanza["Description"], seen.insert(package).inserted else { continue }
            let lines = description.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
                index == 0 ? String(line) : (line.dropFirst() == "." ? "" : String(line.dropFirst()))
            }
            documents.append(Document(id: package, domain: stanza["Section"].map(DebianDescriptions.lastComponent) ?? "",
                                      text: lines.joined(separator: "\n")))
        }
        return documents
    }
}
