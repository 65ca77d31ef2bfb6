import Foundation

/// The thread layout of `orchard bench queue`, shared by the store run and the raw-SQLite floor so both do the
/// same work the same way: one producer thread enqueues `jobs` jobs (one call each) while `workers` claimer threads
/// each claim one job and complete it until all are done. A claimer that finds the queue empty sleeps 200 µs.
/// Returns the wall time from the first enqueue to the last completion.
struct QueueLoopLayout {
    var jobs: Int
    var workers: Int

    /// `enqueue(i)` queues job `i`; `claimAndComplete(worker)` claims and completes one job and returns false when
    /// there was nothing to claim. The first error any thread throws stops every thread and is rethrown.
    func run(enqueue: @escaping @Sendable (Int) throws -> Void,
             claimAndComplete: @escaping @Sendable (Int) throws -> Bool) throws -> Double {
        let progress = Progress()
        let group = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        let total = jobs
        group.enter()
        Thread {
            for i in 0..<total where progress.firstError == nil {
                do { try enqueue(i) } catch { progress.fail(error) }
            }
            group.leave()
        }.start()
        for w in 0..<workers {
            group.enter()
            Thread {
                while progress.completed < total && progress.firstError == nil {
                    do {
                        if try claimAndComplete(w) { progress.completeOne() } else { usleep(200) }
                    } catch { progress.fail(error) }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let error = progress.firstError { throw error }
        return seconds
    }

    /// Completed jobs and the first failure, shared by the threads.
    private final class Progress: @unchecked Sendable {
        private let lock = NSLock()
        private var done = 0
        private var error: (any Error)?
        var completed: Int { lock.withLock { done } }
        var firstError: (any Error)? { lock.withLock { error } }
        func completeOne() { lock.withLock { done += 1 } }
        func fail(_ e: any Error) { lock.withLock { if error == nil { error = e } } }
    }
}
