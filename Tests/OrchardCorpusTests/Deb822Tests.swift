import Foundation
import Testing
@testable import OrchardCorpus

@Suite struct Deb822Tests {
    let sample = """
    Package: hello
    Section: devel
    Description: example package
     GNU hello prints a friendly greeting.
     It is also an example.
     .
     Second   paragraph.

    Package: other
    Source: other-src (1.0)
    Section: contrib/games
    Description-md5: 0123
    """

    @Test func parsesParagraphsFieldsAndContinuations() throws {
        let paragraphs = try Deb822.parse(sample)
        #expect(paragraphs.count == 2)
        #expect(paragraphs[0]["package"] == "hello")
        #expect(paragraphs[0]["Description"]?.split(separator: "\n").count == 5)
        #expect(paragraphs[1]["Source"] == "other-src (1.0)")
        let (synopsis, long) = Deb822.description(paragraphs[0]["Description"]!)
        #expect(synopsis == "example package")
        #expect(long == "GNU hello prints a friendly greeting. It is also an example.\n\nSecond paragraph.")
    }

    @Test func malformedInputIsAnError() {
        #expect(throws: CorpusError.self) { try Deb822.parse(" continuation first\n") }
        #expect(throws: CorpusError.self) { try Deb822.parse("Package: a\nno colon here\n") }
    }

    @Test func readsTheLocalDpkgStatus() throws {
        let descriptions = try DebianDescriptions.installed(statusFile: URL(fileURLWithPath: "/var/lib/dpkg/status"))
        #expect(descriptions.count > 50)
        #expect(Set(descriptions.map(\.section)).count >= 6)
        let baseFiles = descriptions.first { $0.package == "base-files" }
        #expect(baseFiles?.section == "admin")
        #expect(baseFiles?.text.isEmpty == false)
    }
}
