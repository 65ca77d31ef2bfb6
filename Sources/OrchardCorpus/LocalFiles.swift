import Foundation

/// File-system helpers shared by the domain sources.
public enum LocalFiles {
    /// A regular file that is not a symbolic link.
    public static func isRegularFile(_ url: URL) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else { return false }
        return attributes[.type] as? FileAttributeType == .typeRegular
    }

    public static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    /// Regular files under `root` (recursively, symlinks not followed) whose relative path satisfies
    /// `include`, sorted by relative path so the order never depends on the file system.
    public static func files(under root: URL, include: (String) -> Bool) -> [(relative: String, url: URL)] {
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var result: [(String, URL)] = []
        while let relative = enumerator.nextObject() as? String {
            guard include(relative) else { continue }
            let url = root.appendingPathComponent(relative)
            if isRegularFile(url) { result.append((relative, url)) }
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// Text of a file, invalid UTF-8 replaced; `.gz` files are decompressed.
    public static func text(_ url: URL) throws -> String {
        guard var data = FileManager.default.contents(atPath: url.path) else { throw CorpusError.missingSource(url.path) }
        if url.pathExtension == "gz" { data = try Zlib.inflate(data) }
        return String(decoding: data, as: UTF8.self)
    }

    /// Installed version of a Debian package, or nil.
    public static func installedVersion(of package: String) -> String? {
        guard let result = try? ProcessRunner.run(["dpkg-query", "-W", "-f=${Version}", package]), result.status == 0 else { return nil }
        let version = String(decoding: result.stdout, as: UTF8.self)
        return version.isEmpty ? nil : version
    }
}
