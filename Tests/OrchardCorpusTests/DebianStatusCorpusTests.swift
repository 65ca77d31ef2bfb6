import Foundation
import Testing
@testable import OrchardCorpus

/// The dpkg status file as a labelled corpus (read with the deb822 parser).
@Suite struct DebianStatusCorpusTests {
    @Test func dpkgStatusParserJoinsContinuationLinesAndStripsSectionPrefix() throws {
        let text = """
        Package: foo
        Status: install ok installed
        Section: contrib/net
        Description: network frobnicator
         Frobnicates packets on the wire.
         .
         Second paragraph here.
        Homepage: https://example.org

        Package: bar
        Section: utils
        Description: only a summary

        Package: foo
        Section: net
        Description: duplicate stanza for another architecture
        """
        let docs = try DebianStatusCorpus.parse(text)
        #expect(docs.count == 2)
        #expect(docs[0] == Document(id: "foo", domain: "net", text: "network frobnicator\nFrobnicates packets on the wire.\n\nSecond paragraph here."))
        #expect(docs[1].domain == "utils")
    }

    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func dpkgCorpusHasLabelledDocuments() throws {
        let docs = try DebianStatusCorpus.load()
        #expect(docs.count >= 100)
        #expect(docs.allSatisfy { !$0.domain.isEmpty && !$0.text.isEmpty })
    }
}
