import Foundation

/// A minimal ustar writer: regular files only, names up to 100 bytes (checkpoint file names are short).
enum TarArchive {
    static func make(directory: URL, files: [String]) throws -> Data {
        var out = Data()
        for name in files {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            out.append(header(name: name, size: data.count))
            out.append(data)
            let pad = (512 - data.count % 512) % 512
            out.append(Data(count: pad))
        }
        out.append(Data(count: 1024))
        return out
    }

    static func header(name: String, size: Int) -> Data {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, at offset: Int, width: Int) {
            for (i, b) in s.utf8.prefix(width).enumerated() { h[offset + i] = b }
        }
        func octal(_ v: Int, width: Int) -> String {
            let s = String(v, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - s.count)) + s
        }
        put(name, at: 0, width: 100)
        put(octal(0o644, width: 8), at: 100, width: 7)
        put(octal(0, width: 8), at: 108, width: 7)
        put(octal(0, width: 8), at: 116, width: 7)
        put(octal(size, width: 12), at: 124, width: 11)
        put(octal(Int(Date().timeIntervalSince1970), width: 12), at: 136, width: 11)
        for i in 148..<156 { h[i] = 0x20 }
        h[156] = UInt8(ascii: "0")
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        let sum = h.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7), at: 148, width: 6)
        h[154] = 0; h[155] = 0x20
        return Data(h)
    }
}
