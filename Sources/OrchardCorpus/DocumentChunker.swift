import Foundation

/// Splits long texts (whole plays, long licence files) into documents of at most `maxBytes`,
/// preferring paragraph breaks, so every domain has enough documents for a held-out split and no
/// single document dominates a size cap.
public enum DocumentChunker {
    /// A blank text (empty, or only whitespace — e.g. an empty `__init__.py`) gives no document: datasets refuse
    /// empty texts and a model can learn nothing from them.
    public static func chunks(_ text: String, maxBytes: Int) -> [String] {
        precondition(maxBytes > 0)
        if text.utf8.allSatisfy(TextSources.isSpace) { return [] }
        if text.utf8.count <= maxBytes { return [text] }
        var chunks: [String] = []
        var current: [Substring] = [], currentBytes = 0
        func flush() {
            let chunk = current.joined(separator: "\n")
            if !chunk.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { chunks.append(chunk) }
            current = []; currentBytes = 0
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let lineBytes = line.utf8.count + 1
            if lineBytes > maxBytes {
                // A single over-long line: cut it at character boundaries.
                flush()
                var piece = "", pieceBytes = 0
                for character in line {
                    let size = String(character).utf8.count
                    if pieceBytes + size > maxBytes { chunks.append(piece); piece = ""; pieceBytes = 0 }
                    piece.append(character); pieceBytes += size
                }
                if !piece.isEmpty { current = [Substring(piece)]; currentBytes = pieceBytes + 1 }
                continue
            }
            if currentBytes + lineBytes > maxBytes { flush() }
            let isBlank = line.utf8.allSatisfy(TextSources.isSpace)
            if isBlank && currentBytes >= maxBytes / 2 { flush(); continue }
            current.append(line); currentBytes += lineBytes
        }
        flush()
        return chunks
    }
}
