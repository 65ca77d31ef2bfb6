import Foundation
import Synchronization
import Testing
@testable import OrchardTensor

@Suite struct ComputeThreadsTests {
    /// The guided schedule computed serially: what every run must reproduce, whoever claims which tile.
    func expectedTiles(_ n: Int, threads: Int, minimumTile: Int, granule: Int) -> [Range<Int>] {
        var tiles = [Range<Int>](), start = 0
        while start < n {
            let end = start + ComputeThreads.tileSize(remaining: n - start, threads: threads, minimumTile: minimumTile, granule: granule)
            tiles.append(start..<end)
            start = end
        }
        return tiles
    }

    /// Runs parallelTiles and returns the tiles (sorted by start) and how many items each worker did.
    /// `delay(worker)` microseconds are spent in every tile, to make the claims race differently.
    func recordTiles(_ n: Int, threads: ComputeThreads, minimumTile: Int, granule: Int,
                     delay: (Int) -> UInt32) -> (tiles: [Range<Int>], itemsPerWorker: [Int]) {
        // Each tile is recorded at its start index; each worker counts its own items: no shared writes.
        var ends = [Int](repeating: -1, count: n)
        var items = [Int](repeating: 0, count: threads.count)
        ends.withUnsafeMutableBufferPointer { e in
            items.withUnsafeMutableBufferPointer { it in
                let endAt = e.baseAddress!, itemsOf = it.baseAddress!
                threads.parallelTiles(n, minimumTile: minimumTile, granule: granule) { worker, tile in
                    endAt[tile.lowerBound] = tile.upperBound
                    itemsOf[worker] += tile.count
                    let us = delay(worker)
                    if us > 0 { usleep(us) }
                }
            }
        }
        let tiles = ends.enumerated().filter { $0.element >= 0 }.map { $0.offset..<$0.element }
        return (tiles, items)
    }

    @Test(arguments: [(2048, 64, 16), (1000, 32, 1), (64, 1, 1), (131_072, 1024, 1), (100, 64, 16), (5, 1, 1)])
    func tilesCoverEveryIndexOnceWithBoundsThatDoNotDependOnTiming(n: Int, minimumTile: Int, granule: Int) throws {
        for count in [2, 3] {
            let threads = try ComputeThreads(count)
            let expected = expectedTiles(n, threads: count, minimumTile: minimumTile, granule: granule)
            // Tiles tile 0..<n: contiguous, non-empty, in order.
            #expect(expected.first?.lowerBound == 0 && expected.last?.upperBound == n)
            #expect(zip(expected, expected.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(expected.allSatisfy { !$0.isEmpty })
            for slow in 0..<count {
                let run = recordTiles(n, threads: threads, minimumTile: minimumTile, granule: granule) { $0 == slow ? 200 : 20 }
                if n / minimumTile >= 2 {
                    #expect(run.tiles == expected, "n \(n), \(count) threads, worker \(slow) slowed")
                } else {
                    #expect(run.tiles == [0..<n], "too small to split: one tile on the calling thread")
                }
                #expect(run.itemsPerWorker.reduce(0, +) == n)
            }
        }
    }

    @Test func guidedTilesShrinkAndRespectGranuleAndMinimum() {
        let tiles = expectedTiles(2048, threads: 2, minimumTile: 64, granule: 16)
        #expect(tiles.first == 0..<512)  // a quarter of the rows first: half of one thread's even share
        #expect(zip(tiles, tiles.dropFirst()).allSatisfy { $0.count >= $1.count })
        #expect(tiles.dropLast().allSatisfy { $0.count % 16 == 0 && $0.count >= 64 })
        #expect(tiles.count < 16)  // each tile is a separate GEMM call: few of them
    }

    @Test func aSlowThreadDoesFewerTilesInsteadOfHoldingTheOthersBack() throws {
        let threads = try ComputeThreads(2)
        // Worker 1 spends 4 ms in each tile, the calling thread 0.5 ms: a static halving would give each 512 items.
        // If the slow worker happens to claim the first, largest tile the split can come out close to even, so the
        // claim is that the fast thread does more in at least one of five runs, and the slow one never more.
        var fastest = 0
        for _ in 0..<5 {
            let run = recordTiles(1024, threads: threads, minimumTile: 16, granule: 16) { $0 == 1 ? 4000 : 500 }
            #expect(run.itemsPerWorker[1] <= 512, "items per worker: \(run.itemsPerWorker)")
            fastest = max(fastest, run.itemsPerWorker[0])
            if fastest > 512 { break }
        }
        #expect(fastest > 512)
    }

    @Test(arguments: [1, 2, 3]) func everyWorkerRunsItsFirstShareOnceThenTilesCoverTheRest(count: Int) throws {
        let threads = try ComputeThreads(count)
        for n in [0, 10, 2048] {
            var firsts = [Int](repeating: 0, count: count)
            var covered = [Int](repeating: 0, count: n)
            firsts.withUnsafeMutableBufferPointer { f in
                covered.withUnsafeMutableBufferPointer { c in
                    let first = f.baseAddress!, hits = c.baseAddress!
                    threads.parallelTiles(n, minimumTile: 64, granule: 16, eachWorkerFirst: { w in first[w] += 1 }) { _, tile in
                        for i in tile { hits[i] += 1 }
                    }
                }
            }
            #expect(firsts == [Int](repeating: 1, count: count), "n \(n)")
            #expect(covered.allSatisfy { $0 == 1 }, "n \(n)")
        }
    }

    @Test func oneThreadRunsOneTileOnTheCaller() {
        var calls = [Range<Int>]()
        ComputeThreads.single.parallelTiles(1000, minimumTile: 10) { worker, tile in
            #expect(worker == 0)
            calls.append(tile)
        }
        #expect(calls == [0..<1000])
        ComputeThreads.single.parallelTiles(0, minimumTile: 10) { _, _ in Issue.record("no tiles for n = 0") }
    }
}
