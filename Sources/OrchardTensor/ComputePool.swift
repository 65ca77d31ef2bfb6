import Foundation
import Synchronization

/// A per-model pool of compute threads that spin briefly between parallel regions before sleeping.
/// A training step has tens of short parallel regions; a spinning worker picks up a region that follows soon
/// after the last one without a wake-up, where GCD workers are woken for each (docs/performance.md, changelog).
/// The caller runs chunk 0 itself.
final class ComputePool: @unchecked Sendable {
    let size: Int
    private let state: PoolState

    init(size: Int) {
        self.size = size
        state = PoolState(workers: size - 1)
        for i in 1..<size {
            let s = state
            let t = Thread { s.workerLoop(index: i) }
            t.name = "orchard-compute-\(i)"
            t.start()
        }
    }

    deinit { state.shutdown() }

    /// Runs body(0..<size) with body(0) on the calling thread; returns when all are done.
    /// If the pool is already busy (shared by two concurrent callers) the caller runs every index itself.
    func run(_ body: (Int) -> Void) {
        guard state.busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<size { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            state.dispatch(UncheckedSendable(body))
            body(0)
            state.waitForWorkers()
        }
        state.busy.store(false, ordering: .releasing)
    }
}

private final class PoolState: @unchecked Sendable {
    let workers: Int
    let generation = Atomic<Int>(0)
    let remaining = Atomic<Int>(0)
    let busy = Atomic<Bool>(false)
    let stopping = Atomic<Bool>(false)
    let condition = NSCondition()
    var job: UncheckedSendable<(Int) -> Void>?

    init(workers: Int) { self.workers = workers }

    func dispatch(_ body: UncheckedSendable<(Int) -> Void>) {
        job = body
        remaining.store(workers, ordering: .relaxed)
        condition.lock()
        generation.add(1, ordering: .releasing)
        condition.broadcast()
        condition.unlock()
    }

    func waitForWorkers() {
        var spins = 0
        while remaining.load(ordering: .acquiring) > 0 {
            spins += 1
            if spins > 20_000 { sched_yield() }
        }
        job = nil
    }

    func shutdown() {
        condition.lock()
        stopping.store(true, ordering: .releasing)
        generation.add(1, ordering: .releasing)
        condition.broadcast()
        condition.unlock()
    }

    func workerLoop(index: Int) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen && spins < 200_000 { spins += 1 }
            if generation.load(ordering: .acquiring) == seen {
                condition.lock()
                while generation.load(ordering: .acquiring) == seen { condition.wait() }
                condition.unlock()
            }
            seen = generation.load(ordering: .acquiring)
            if stopping.load(ordering: .acquiring) { return }
            job!.value(index)
            remaining.subtract(1, ordering: .releasing)
        }
    }
}
