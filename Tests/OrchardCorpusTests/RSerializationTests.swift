import Foundation
import Testing
@testable import OrchardCorpus

@Suite struct RSerializationTests {
    @Test func readsCharacterVectorWithNA() throws {
        for version: Int32 in [2, 3] {
            var writer = RWriter(version: version)
            writer.strings(["Chapter 1", nil, "It is a truth universally acknowledged, café"])
            #expect(try RDeserializer.read(Data(writer.bytes)) == .strings(["Chapter 1", nil, "It is a truth universally acknowledged, café"]))
        }
    }

    @Test func readsNamedListAndSharedSymbolReference() throws {
        // list(a = c("x"), b = 1:2) with names; a second `names` attribute refers back to the symbol (REFSXP).
        var writer = RWriter()
        writer.listHeader(count: 2, named: true)
        writer.strings(["x"], names: ["first"])
        writer.integers([1, 2])
        // attributes of the list: names = c("a", "b"), with the "names" symbol as reference 1
        writer.int(2 | 1 << 10); writer.int(255 | 1 << 8); writer.strings(["a", "b"]); writer.int(254)
        let value = try RDeserializer.read(Data(writer.bytes))
        #expect(value.names == ["a", "b"])
        guard case .list(let items) = value.bare else { Issue.record("not a list"); return }
        #expect(items[0].bare == .strings(["x"]))
        #expect(items[0].names == ["first"])
        #expect(items[1] == .integers([1, 2]))
    }

    @Test func rejectsTruncatedUnknownAndNonXDR() {
        var writer = RWriter()
        writer.strings(["abc", "def"])
        #expect(throws: CorpusError.self) { try RDeserializer.read(Data(writer.bytes.dropLast(2))) }
        #expect(throws: CorpusError.self) { try RDeserializer.read(Data("A\n".utf8) + Data(writer.bytes.dropFirst(2))) }
        var unknown = RWriter()
        unknown.int(25)  // S4SXP: not supported
        #expect(throws: CorpusError.self) { try RDeserializer.read(Data(unknown.bytes)) }
    }

    /// A two-object lazy-load database assembled in memory: gzip'd index + zlib records.
    @Test func readsConstructedLazyLoadDatabase() throws {
        func record(_ writer: RWriter) throws -> [UInt8] {
            Fixtures.bigEndian(Int32(writer.bytes.count)) + [UInt8](try Zlib.deflate(Data(writer.bytes)))
        }
        var first = RWriter(); first.strings(["Emma Woodhouse, handsome, clever, and rich"])
        var second = RWriter(); second.strings(["line one", "line two"])
        let a = try record(first), b = try record(second)
        let records = Data(a + b)
        // index: list(variables = list(emma = c(0, len a), persuasion = c(len a, len b)), references = list(), compressed = TRUE)
        var index = RWriter()
        index.listHeader(count: 2, named: true)
        index.listHeader(count: 2, named: true)
        index.integers([0, Int32(a.count)])
        index.integers([Int32(a.count), Int32(b.count)])
        index.namesAttribute(["emma", "persuasion"])
        index.listHeader(count: 0, named: false)
        index.int(2 | 1 << 10); index.int(255 | 1 << 8); index.strings(["variables", "references"]); index.int(254)
        let database = try RLazyLoadDatabase(index: try Zlib.deflate(Data(index.bytes), gzip: true), records: records)
        #expect(database.names == ["emma", "persuasion"])
        #expect(try database.object(named: "persuasion") == .strings(["line one", "line two"]))
        #expect(try database.object(named: "emma") == .strings(["Emma Woodhouse, handsome, clever, and rich"]))
        #expect(throws: CorpusError.self) { try database.object(named: "sanditon") }
    }

    @Test func recordTypesOtherThanZlibAndStoredAreClearErrors() throws {
        var writer = RWriter(); writer.strings(["stored"])
        let stored = Data(Fixtures.bigEndian(Int32(writer.bytes.count)) + [UInt8(ascii: "0")] + writer.bytes)
        #expect(try RDeserializer.read(RLazyLoadDatabase.unpack(record: stored)) == .strings(["stored"]))
        let xz = Data(Fixtures.bigEndian(10) + [UInt8(ascii: "Z"), 1, 2, 3])
        #expect(throws: CorpusError.self) { try RLazyLoadDatabase.unpack(record: xz) }
    }

    @Test(.enabled(if: Fixtures.downloadedPackage("r-cran-janeaustenr") != nil, "needs a real corpus run's download cache"))
    func readsJaneAustenNovels() throws {
        let root = try #require(Fixtures.downloadedPackage("r-cran-janeaustenr"))
        let database = try RLazyLoadDatabase(base: root.appendingPathComponent("usr/lib/R/site-library/janeaustenr/data/Rdata"))
        #expect(Set(database.names).isSuperset(of: ["emma", "prideprejudice", "persuasion", "mansfieldpark", "northangerabbey", "sensesensibility"]))
        guard case .strings(let lines) = try database.object(named: "prideprejudice").bare else { Issue.record("not a character vector"); return }
        let text = lines.map { $0 ?? "" }.joined(separator: "\n")
        #expect(text.contains("It is a truth universally acknowledged"))
        #expect(AustenChapters.split(lines.map { $0 ?? "" }).count >= 61)
    }
}
