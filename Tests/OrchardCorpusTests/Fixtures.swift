import Foundation
@testable import OrchardCorpus

/// Shared helpers for the corpus tests: temporary folders, the package root, and the optional
/// download cache of a real `corpus prepare` run (tests on downloaded files run only when present).
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `data/corpus/sources/pkgs/NAME` of a previous real run, if it exists.
    static func downloadedPackage(_ name: String) -> URL? {
        let url = packageRoot.appendingPathComponent("data/corpus/sources/pkgs/\(name)")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent(".orchard-unpacked").path) ? url : nil
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-corpus-test-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func bigEndian(_ value: Int32) -> [UInt8] {
        let bits = UInt32(bitPattern: value)
        return [UInt8(bits >> 24), UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 8), UInt8(truncatingIfNeeded: bits)]
    }

    static func littleEndian32(_ value: Int) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

/// Writes R's XDR serialization by hand, so the tests check the reader against the format itself.
struct RWriter {
    var bytes: [UInt8] = Array("X\n".utf8)

    init(version: Int32 = 2) {
        bytes += Fixtures.bigEndian(version) + Fixtures.bigEndian(0x040201) + Fixtures.bigEndian(0x020300)
        if version == 3 { bytes += Fixtures.bigEndian(5) + Array("UTF-8".utf8) }
    }

    mutating func int(_ value: Int32) { bytes += Fixtures.bigEndian(value) }

    /// CHARSXP with the UTF-8 encoding bit (8 in the gp levels, which start at bit 12); nil writes NA_STRING.
    mutating func charsxp(_ text: String?) {
        int(9 | 8 << 12)
        guard let text else { int(-1); return }
        int(Int32(text.utf8.count)); bytes += Array(text.utf8)
    }

    mutating func strings(_ values: [String?], names: [String]? = nil) {
        int(16 | (names != nil ? 1 << 9 : 0))
        int(Int32(values.count))
        for value in values { charsxp(value) }
        if let names { namesAttribute(names) }
    }

    mutating func integers(_ values: [Int32]) {
        int(13); int(Int32(values.count))
        for value in values { int(value) }
    }

    /// Attribute pairlist `names = c(...)`: LISTSXP with tag, tag SYMSXP "names", car STRSXP, cdr NILVALUE.
    mutating func namesAttribute(_ names: [String]) {
        int(2 | 1 << 10)
        int(1); charsxp("names")
        strings(names)
        int(254)
    }

    mutating func listHeader(count: Int, named: Bool) {
        int(19 | (named ? 1 << 9 : 0)); int(Int32(count))
    }
}
