import Foundation
import Testing
@testable import OrchardCorpus

@Suite struct FortunesTests {
    @Test func splitsOnPercentLines() {
        let file = "First fortune,\n\ttwo lines.\n%\nSecond 100% sure.\n%\n%\n  \n%\nThird\n"
        #expect(Fortunes.split(file) == ["First fortune,\n\ttwo lines.", "Second 100% sure.", "Third"])
        #expect(Fortunes.split("") == [])
    }

    @Test func categoryFilesSkipIndexesAndLinks() throws {
        let directory = try Fixtures.temporaryDirectory("fortunes")
        defer { try? FileManager.default.removeItem(at: directory) }
        try "a\n%\nb\n".write(to: directory.appendingPathComponent("art"), atomically: true, encoding: .utf8)
        try Data([0, 1, 2]).write(to: directory.appendingPathComponent("art.dat"))
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("art.u8").path, withDestinationPath: "art")
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("linked").path, withDestinationPath: "art")
        #expect(try Fortunes.categoryFiles(in: directory).map(\.lastPathComponent) == ["art"])
    }

    @Test(.enabled(if: Fixtures.downloadedPackage("fortunes") != nil, "needs a real corpus run's download cache"))
    func realFortunes() throws {
        let root = try #require(Fixtures.downloadedPackage("fortunes"))
        let files = try Fortunes.categoryFiles(in: root.appendingPathComponent("usr/share/games/fortunes"))
        let total = try files.reduce(0) { $0 + Fortunes.split(try LocalFiles.text($1)).count }
        #expect(files.count >= 30)
        #expect(total > 10_000)
    }
}
