import Foundation
import OrchardTensor
import Testing
@testable import OrchardCorpus

@Suite struct DebianDescriptionsTests {
    static let words = Array(repeating: "word", count: 25).joined(separator: " ")
    let translation = """
    Package: stellarium
    Description-md5: aaa
    Description-en: real-time photo-realistic sky generator
     Stellarium renders 3D photo-realistic skies in real time. \(words)

    Package: stellarium-data
    Description-md5: bbb
    Description-en: sky data
     Data files for stellarium. \(words)

    Package: xastir
    Description-md5: ccc
    Description-en: X Amateur Station Tracking
     Xastir is an APRS client. \(words)

    Package: xastir-tools
    Description-md5: ddd
    Description-en: more tools
     Tools for xastir. \(words)

    Package: shortdesc
    Description-md5: eee
    Description-en: short
     Too short.

    Package: orphan
    Description-md5: fff
    Description-en: not in Packages
     Orphan. \(words)

    """
    let packages = """
    Package: stellarium
    Section: science
    Description-md5: aaa

    Package: stellarium-data
    Source: stellarium
    Section: science
    Description-md5: bbb

    Package: xastir
    Section: hamradio
    Description-md5: ccc

    Package: xastir-tools
    Source: xastir (2.1)
    Section: contrib/hamradio
    Description-md5: ddd

    Package: shortdesc
    Section: utils
    Description-md5: eee

    """

    @Test func joinsOnPackageAndMD5AndCleans() throws {
        let all = try DebianDescriptions.join(translation: translation, packages: packages)
        #expect(all.map(\.package) == ["stellarium", "stellarium-data", "xastir", "xastir-tools", "shortdesc"])
        #expect(all[3].section == "hamradio")
        #expect(all[3].source == "xastir")
        let clean = DebianDescriptions.select(all, variant: .clean)
        #expect(clean.map(\.package) == ["stellarium", "xastir", "xastir-tools"])  // -data is boilerplate, shortdesc < 20 words
        let perSource = DebianDescriptions.select(all, variant: .perSource)
        #expect(perSource.map(\.package) == ["stellarium", "xastir"])
        let documents = DebianDescriptions.documents(perSource)
        #expect(documents.map(\.domain) == ["science", "hamradio"])
        #expect(documents[0].id == "debian-descriptions/stellarium:aaa")
        #expect(documents[0].text.hasPrefix("real-time photo-realistic sky generator\n\nStellarium renders"))
    }

    @Test func boilerplateFamilies() {
        for name in ["libfoo1", "foo-dev", "golang-x", "fonts-noto", "r-cran-dplyr", "foo-doc"] { #expect(DebianDescriptions.isBoilerplate(name)) }
        for name in ["stellarium", "vim", "python3-numpy", "gnuplot"] { #expect(!DebianDescriptions.isBoilerplate(name)) }
    }

    @Test func offlineCorpusFromDpkgStatusHasSectionLabels() throws {
        let directory = try Fixtures.temporaryDirectory("descriptions")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("descriptions.jsonl")
        let summary = try DebianDescriptionCorpus(options: .init(outputFile: out, variant: .all, offline: true), log: { _ in }).build()
        let documents = try JSONLines.read(out)
        #expect(documents.count == summary.documents)
        #expect(documents.count > 50)
        #expect(Set(documents.map(\.domain)).count >= 6)
        #expect(Set(documents.map(\.id)).count == documents.count)
        #expect(try SHA256Hasher.hexDigest(ofFile: out) == summary.sha256)
    }
}
