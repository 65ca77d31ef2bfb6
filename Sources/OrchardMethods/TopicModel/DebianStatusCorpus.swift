import Foundation

/// Labelled real text with no download: the package stanzas of a dpkg status file (/var/lib/dpkg/status
/// on every Debian machine). One document per package: summary line + long description (continuation
/// lines start with a space; " ." is a paragraph break), labelled by Section ("contrib/net" → "net").
public enum DebianStatusCorpus {
    public static let defaultPath = "/var/lib/dpkg/status"

    public static func load(path: String = defaultPath) throws -> [TopicDocument] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TopicModelError.corpusUnreadable("\(path) does not exist or is not readable")
        }
        return parse(String(decoding: data, as: UTF8.self))
    }

    public static func parse(_ text: String) -> [TopicDocument] {
        var documents: [TopicDocument] = []
        var package: String?, section: String?, description: [String] = []
        var inDescription = false
        func flush() {
            if let package, !description.isEmpty {
                let label = section.map { $0.split(separator: "/").last.map(String.init) ?? $0 }
                documents.append(TopicDocument(id: package, text: description.joined(separator: "\n"), label: label))
            }
            package = nil; section = nil; description = []; inDescription = false
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { flush(); continue }
            if line.first == " " || line.first == "\t" {
                guard inDescription else { continue }
                let body = line.dropFirst()
                description.append(body == "." ? "" : String(body))
                continue
            }
            inDescription = false
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "Package": package = value
            case "Section": section = value
            case "Description": description = [value]; inDescription = true
            default: break
            }
        }
        flush()
        // The same package can appear once per architecture; keep the first stanza per name.
        var seen = Set<String>()
        return documents.filter { seen.insert($0.id).inserted }
    }
}
