import Foundation

/// fortune(6) files: plain text, entries separated by lines holding only `%`.
public enum Fortunes {
    public static func split(_ text: String) -> [String] {
        var entries: [String] = []
        var current: [Substring] = []
        func flush() {
            let entry = current.joined(separator: "\n").trimmingCharacters(in: .newlines)
            if !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { entries.append(entry) }
            current = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "%" || line == "%\r" { flush() } else { current.append(line) }
        }
        flush()
        return entries
    }

    /// Category files in a fortunes directory: skips `.dat` indexes, `.u8` links, symlinks and folders.
    public static func categoryFiles(in directory: URL) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return names.compactMap { name in
            guard !name.hasSuffix(".dat"), !name.hasSuffix(".u8"), !name.hasPrefix(".") else { return nil }
            let url = directory.appendingPathComponent(name)
            return LocalFiles.isRegularFile(url) ? url : nil
        }
    }
}
