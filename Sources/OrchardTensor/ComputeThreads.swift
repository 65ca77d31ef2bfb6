import Synchronization

/// The number of compute threads one model uses. OpenBLAS itself stays single-threaded: making a
/// ComputeThreads value pins it (`BLASRuntime.useSingleThreadedBLAS`), so results never depend on whether the
/// entry point (a binary's main, a test process) pinned it first; the engine splits GEMMs by rows, attention by (batch, head) and
/// elementwise loops by chunks, so one job on 2 cores or two jobs on 1 core each never oversubscribe.
/// Each ComputeThreads value made with count > 1 owns a pool of count - 1 threads (shared by its copies,
/// stopped when the last copy goes away); the calling thread is worker 0.
public struct ComputeThreads: Sendable, Equatable {
    public let count: Int
    let pool: ComputePool?

    public init(_ count: Int) throws {
        guard count >= 1, count <= 256 else { throw EngineError.invalidArgument("thread count must be 1...256, got \(count)") }
        self.count = count
        pool = count > 1 ? ComputePool(size: count) : nil
        BLASRuntime.useSingleThreadedBLAS()
    }

    public static func == (a: ComputeThreads, b: ComputeThreads) -> Bool { a.count == b.count }

    public static let single = try! ComputeThreads(1)

    /// Runs `body(chunk)` for `count` contiguous, deterministic chunks of 0..<n (some may be empty).
    @inline(__always)
    public func parallelChunks(_ n: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = Swift.max(1, Swift.min(count, n / Swift.max(1, minimumPerThread)))
        if workers == 1 { body(0..<n); return }
        run(workers) { w in body(Self.chunk(w, of: workers, n)) }
    }

    /// Runs `body(worker, index)` for every index, indices split in contiguous blocks per worker.
    @inline(__always)
    public func parallelFor(_ n: Int, _ body: (_ worker: Int, _ index: Int) -> Void) {
        let workers = Swift.max(1, Swift.min(count, n))
        if workers == 1 { for i in 0..<n { body(0, i) }; return }
        run(workers) { w in
            for i in Self.chunk(w, of: workers, n) { body(w, i) }
        }
    }

    /// Runs `body(worker, tile)` over tiles of 0..<n that the threads claim as they become free, so that a thread
    /// that runs slower (cores of a VM need not be equally fast: one may also take the device interrupts) does fewer
    /// tiles instead of the others waiting for it at the end of the region.
    /// Guided self-scheduling: each tile is about 1/(2·count) of what is left, rounded up to `granule`, at least
    /// `minimumTile`. A tile's bounds depend only on where it starts (and n, count, granule, minimumTile), never on
    /// timing or on which thread claims it, so every tile is the same computation in every run: results stay
    /// bit-identical for a given thread count as long as `body` writes only what its tile owns.
    @inline(__always)
    public func parallelTiles(_ n: Int, minimumTile: Int, granule: Int = 1,
                              _ body: (_ worker: Int, _ tile: Range<Int>) -> Void) {
        guard pool != nil, n / Swift.max(1, minimumTile) >= 2 else { if n > 0 { body(0, 0..<n) }; return }
        parallelTiles(n, minimumTile: minimumTile, granule: granule, eachWorkerFirst: { _ in }, body)
    }

    /// The same, but every worker first runs `eachWorkerFirst(worker)` (for worker in 0..<count: a static share of
    /// some other, independent work) and then joins in claiming tiles, so the tiles also absorb any imbalance of
    /// the static shares, in one parallel region instead of two.
    @inline(__always)
    public func parallelTiles(_ n: Int, minimumTile: Int, granule: Int = 1, eachWorkerFirst: (_ worker: Int) -> Void,
                              _ body: (_ worker: Int, _ tile: Range<Int>) -> Void) {
        guard let pool else { eachWorkerFirst(0); if n > 0 { body(0, 0..<n) }; return }
        let cursor = Atomic<Int>(0)
        let count = self.count
        pool.run { w in
            eachWorkerFirst(w)
            var start = cursor.load(ordering: .relaxed)
            while start < n {
                let end = start + Self.tileSize(remaining: n - start, threads: count, minimumTile: minimumTile, granule: granule)
                let claim = cursor.compareExchange(expected: start, desired: end, ordering: .relaxed)
                if claim.exchanged {
                    body(w, start..<end)
                    start = cursor.load(ordering: .relaxed)
                } else {
                    start = claim.original
                }
            }
        }
    }

    /// The size of the guided tile that starts with `remaining` items left.
    @inline(__always)
    static func tileSize(remaining: Int, threads: Int, minimumTile: Int, granule: Int) -> Int {
        let share = (remaining + 2 * threads - 1) / (2 * threads)
        let rounded = (share + granule - 1) / granule * granule
        return Swift.min(remaining, Swift.max(minimumTile, rounded))
    }

    /// Runs body(w) for w in 0..<workers (workers <= count) on the pool.
    @inline(__always)
    func run(_ workers: Int, _ body: (Int) -> Void) {
        guard let pool else { for w in 0..<workers { body(w) }; return }
        pool.run { w in if w < workers { body(w) } }
    }

    @inline(__always)
    static func chunk(_ w: Int, of workers: Int, _ n: Int) -> Range<Int> {
        let base = n / workers, extra = n % workers
        let start = w * base + Swift.min(w, extra)
        return start..<(start + base + (w < extra ? 1 : 0))
    }
}

/// Lets a non-escaping work closure cross into concurrentPerform: the closures handed to
/// ComputeThreads write disjoint memory per chunk, which is what makes this sound.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
