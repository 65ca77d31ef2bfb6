
/// The number of compute threads one model uses. OpenBLAS itself stays single-threaded
/// (see BLASRuntime); the engine splits GEMMs by rows, attention by (batch, head) and
/// elementwise loops by chunks, so one job on 2 cores or two jobs on 1 core each never oversubscribe.
/// Each ComputeThreads value made with count > 1 owns a pool of count - 1 threads (shared by its copies,
/// stopped when the last copy goes away); the calling thread is worker 0.
public struct ComputeThreads: Sendable, Equatable {
    public let count: Int
    let pool: WorkerPool?

    public init(_ count: Int) throws {
        guard count >= 1, count <= 256 else { throw EngineError.invalidArgument("thread count must be 1...256, got \(count)") }
        self.count = count
        pool = count > 1 ? WorkerPool(size: count) : nil
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
