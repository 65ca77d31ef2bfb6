import Foundation
import OrchardCorpus

/// Reads a labelled corpus from JSON Lines: one object per line with `id`, `text` and a label under
/// `label` or (as the corpus pipeline writes it, `{id, domain, text}`) `domain`; the label becomes the
/// document's domain ("" when the line has neither).
public enum TopicCorpusFile {
    private struct Line: Decodable {
        let id: String
        let text: String
        let label: String?
        let domain: String?
    }

    public static func load(path: String) throws -> [Document] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TopicModelError.corpusUnreadable("\(path) does not exist or is not readable")
        }
        let decoder = JSONDecoder()
        var documents: [Document] = []
        var seen = Set<String>()
        for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            guard let row = try? decoder.decode(Line.self, from: Data(line)) else {
                throw TopicModelError.corpusUnreadable("\(path) line \(number + 1) is not an {id, text, label|domain} object")
            }
            guard seen.insert(row.id).inserted else { throw TopicModelError.duplicateDocument(id: row.id) }
            documents.append(Document(id: row.id, domain: row.label ?? row.domain ?? "", text: row.text))
        }
        return documents
    }
}
