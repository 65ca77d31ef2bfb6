import Foundation
import OrchardCorpus
import Testing

@Suite struct MuseBenchmarkCorpusTests {
    /// The splits on stand-in novels: scalability sets nested and growing, sustainability sets disjoint, all inside
    /// the forget book; train = forget + retain, holdout never in train.
    @Test func splitsAreNestedDisjointAndInsideTheForgetBook() throws {
        var novels: [String: [String]] = [:]
        for (name, chapters) in [("prideprejudice", 61), ("emma", 55), ("mansfieldpark", 48), ("sensesensibility", 50),
                                 ("persuasion", 24), ("northangerabbey", 31)] {
            novels[name] = (0..<chapters).map { "Chapter \($0 + 1)\n\(name) text of chapter \($0 + 1)." }
        }
        let b = try MuseBenchmarkCorpus.documents(novels: novels)
        #expect(b.forget.count == 61 && b.train.count == 61 + 55 + 48 + 50 && b.holdout.count == 55)
        #expect(b.forget.allSatisfy { $0.domain == "prideprejudice" && $0.id.hasPrefix("austen/prideprejudice/") })
        let trainIDs = Set(b.train.map(\.id))
        #expect(b.holdout.allSatisfy { !trainIDs.contains($0.id) } && b.retainEval.allSatisfy { trainIDs.contains($0.id) && $0.domain != "prideprejudice" })
        let scal = b.splits.scalability
        #expect(scal.map(\.count) == [5, 10, 20, 40])
        for (a, c) in zip(scal, scal.dropFirst()) { #expect(Set(a).isSubset(of: Set(c))) }
        let sust = b.splits.sustainability
        #expect(sust.count == 4 && sust.allSatisfy { $0.count == 10 } && Set(sust.flatMap { $0 }).count == 40)
        let forgetIDs = Set(b.forget.map(\.id))
        #expect((scal + sust).allSatisfy { Set($0).isSubset(of: forgetIDs) })
        #expect(throws: CorpusError.self) { try MuseBenchmarkCorpus.documents(novels: novels.filter { $0.key != "emma" }) }
    }
}
