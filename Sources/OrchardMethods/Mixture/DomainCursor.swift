import Foundation
import OrchardTensor

/// Where a domain's reading stands: each epoch visits the domain's documents in a seeded permutation,
/// each document in consecutive windows. (epoch, position, offset) plus the seed determine every
/// window read so far, which is what makes lineage reconstructible.
public struct DomainCursor: Sendable, Hashable, Codable {
    public var epoch: Int = 0
    /// Index into the epoch's permutation.
    public var position: Int = 0
    /// Token offset of the next window in the current document.
    public var offset: Int = 0
    public init() {}

    /// The permutation of `count` documents for (seed, domain, epoch): its own RNG stream, so it never
    /// depends on how many domain draws were made.
    public static func permutation(seed: UInt64, domain: Int, epoch: Int, count: Int) -> [Int] {
        var rng = SeededRandom(seed: seed, stream: [1, UInt64(domain), UInt64(epoch)])
        var p = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                p.swapAt(i, j)
            }
        }
        return p
    }
}
