import Foundation

/// Small real text in three domains that needs no download: licences (/usr/share/common-licenses),
/// Python standard-library source and Debian package descriptions (/var/lib/dpkg/status).
public enum RealTextFixture {
    public static func chunks(_ text: String, size: Int) -> [String] {
        var out: [String] = [], cur = ""
        for para in text.components(separatedBy: "\n\n") where !para.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            if cur.utf8.count + para.utf8.count > size && !cur.isEmpty { out.append(cur); cur = "" }
            cur += (cur.isEmpty ? "" : "\n\n") + String(para.prefix(size))
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// `{id, domain, text}` JSONL with up to `perDomain` documents of ≤ 1,200 bytes per domain.
    public static func jsonl(perDomain: Int = 12) throws -> String {
        var docs: [(String, String, String)] = []
        func add(_ domain: String, _ name: String, _ text: String) {
            for (i, c) in chunks(text, size: 1200).enumerated() where docs.filter({ $0.1 == domain }).count < perDomain {
                docs.append(("\(domain)/\(name)#\(i)", domain, c))
            }
        }
        for f in ["Apache-2.0", "BSD", "GPL-3", "Artistic", "MPL-2.0"] {
            if let t = try? String(contentsOfFile: "/usr/share/common-licenses/" + f, encoding: .utf8) { add("licenses", f, t) }
        }
        let py = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib").filter { $0.hasPrefix("python3.") }.sorted().first ?? "python3"
        for f in ["textwrap.py", "bisect.py", "colorsys.py", "heapq.py", "string.py"] {
            if let t = try? String(contentsOfFile: "/usr/lib/\(py)/\(f)", encoding: .utf8) { add("python", f, t) }
        }
        let status = try String(contentsOfFile: "/var/lib/dpkg/status", encoding: .utf8)
        for stanza in status.components(separatedBy: "\n\n").prefix(200) {
            guard let r = stanza.range(of: "\nDescription: ") else { continue }
            let pkg = stanza.split(separator: "\n").first.map { String($0.dropFirst("Package: ".count)) } ?? "?"
            var desc = String(stanza[r.upperBound...])
            if let end = desc.range(of: "\n[A-Z][A-Za-z-]*: ", options: .regularExpression) { desc = String(desc[..<end.lowerBound]) }
            add("descriptions", pkg, desc)
        }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        struct Line: Encodable { var id: String; var domain: String; var text: String }
        return try docs.map { String(decoding: try e.encode(Line(id: $0.0, domain: $0.1, text: $0.2)), as: UTF8.self) }
            .joined(separator: "\n") + "\n"
    }
}

