import Foundation
import Testing
@testable import OrchardCorpus

@Suite struct ZlibTests {
    @Test func roundTripsZlibAndGzip() throws {
        let text = Data(String(repeating: "It is a truth universally acknowledged. ", count: 500).utf8)
        for gzip in [false, true] {
            let packed = try Zlib.deflate(text, gzip: gzip)
            #expect(packed.count < text.count / 5)
            #expect(try Zlib.inflate(packed) == text)
        }
    }

    @Test func followsConcatenatedGzipMembers() throws {
        let a = Data("first member\n".utf8), b = Data("second member\n".utf8)
        let joined = try Zlib.deflate(a, gzip: true) + Zlib.deflate(b, gzip: true)
        #expect(try Zlib.inflate(joined) == a + b)
    }

    @Test func rejectsCorruptAndTruncatedInput() throws {
        let packed = try Zlib.deflate(Data(String(repeating: "abc", count: 1000).utf8))
        #expect(throws: CorpusError.self) { try Zlib.inflate(packed.prefix(packed.count / 2)) }
        #expect(throws: CorpusError.self) { try Zlib.inflate(Data([0x78, 0x9c, 0xff, 0xff, 0xff, 0x00])) }
        #expect(throws: CorpusError.self) { try Zlib.inflate(Data()) }
    }
}
