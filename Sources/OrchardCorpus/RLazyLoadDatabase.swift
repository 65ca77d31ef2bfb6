import Foundation

/// An R lazy-load database (`NAME.rdx` index + `NAME.rdb` records), the format R packages use for
/// their data sets (`data/Rdata.rdx`). The index is a gzip'd serialized list whose `variables`
/// element maps each object name to (offset, length) in the `.rdb`.
public struct RLazyLoadDatabase {
    public let names: [String]
    private let locations: [String: (offset: Int, length: Int)]
    private let records: Data

    /// `base` is the path without extension, e.g. `.../janeaustenr/data/Rdata`.
    public init(base: URL) throws {
        let indexURL = base.appendingPathExtension("rdx"), recordsURL = base.appendingPathExtension("rdb")
        guard let index = FileManager.default.contents(atPath: indexURL.path) else {
            throw CorpusError.missingSource(indexURL.path)
        }
        guard let records = FileManager.default.contents(atPath: recordsURL.path) else {
            throw CorpusError.missingSource(recordsURL.path)
        }
        try self.init(index: index, records: records)
    }

    public init(index: Data, records: Data) throws {
        let root = try RDeserializer.read(try Zlib.inflate(index))
        guard case .list(let parts) = root.bare, let partNames = root.names,
              let variablesAt = partNames.firstIndex(of: "variables") else {
            throw CorpusError.malformed(format: "R lazy-load index", detail: "no 'variables' element")
        }
        let variables = parts[variablesAt]
        guard case .list(let entries) = variables.bare, let names = variables.names, names.count == entries.count else {
            throw CorpusError.malformed(format: "R lazy-load index", detail: "'variables' is not a named list")
        }
        var locations: [String: (offset: Int, length: Int)] = [:]
        for (name, entry) in zip(names, entries) {
            let pair: [Int]
            switch entry.bare {
            case .integers(let values): pair = values.map(Int.init)
            case .doubles(let values): pair = values.map { Int($0) }
            default: throw CorpusError.malformed(format: "R lazy-load index", detail: "location of '\(name)' is not numeric")
            }
            guard pair.count == 2, pair[0] >= 0, pair[1] >= 5, pair[0] + pair[1] <= records.count else {
                throw CorpusError.malformed(format: "R lazy-load index", detail: "location of '\(name)' is out of range")
            }
            locations[name] = (pair[0], pair[1])
        }
        self.names = names
        self.locations = locations
        self.records = records
    }

    /// Reads and deserializes one object.
    public func object(named name: String) throws -> RValue {
        guard let location = locations[name] else {
            throw CorpusError.missingSource("R object '\(name)' (have: \(names.joined(separator: ", ")))")
        }
        let start = records.startIndex + location.offset
        let record = records.subdata(in: start..<start + location.length)
        return try RDeserializer.read(try RLazyLoadDatabase.unpack(record: record))
    }

    /// A record is a 4-byte big-endian uncompressed length, then either a zlib stream (type 1, which
    /// starts with the zlib header byte 'x') or a type byte and payload ('0' stored, 'Z' xz, '2' bzip2).
    public static func unpack(record: Data) throws -> Data {
        let bytes = [UInt8](record.prefix(5))
        guard bytes.count == 5 else { throw CorpusError.malformed(format: "R lazy-load record", detail: "shorter than 5 bytes") }
        let expected = Int(UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]))
        switch bytes[4] {
        case UInt8(ascii: "x"):
            let out = try Zlib.inflate(record.dropFirst(4), expectedSize: expected)
            guard out.count == expected else {
                throw CorpusError.malformed(format: "R lazy-load record", detail: "inflated \(out.count) bytes, header says \(expected)")
            }
            return out
        case UInt8(ascii: "0"):
            return Data(record.dropFirst(5))
        case UInt8(ascii: "Z"), UInt8(ascii: "2"):
            throw CorpusError.malformed(format: "R lazy-load record",
                                        detail: "xz/bzip2-compressed records are not supported (only zlib and stored)")
        default:
            throw CorpusError.malformed(format: "R lazy-load record", detail: "unknown compression byte \(bytes[4])")
        }
    }
}
