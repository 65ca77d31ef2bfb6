import Foundation

/// Runs a synchronous, CPU-bound job body on a dedicated thread (never on Swift concurrency's
/// cooperative pool, which the HTTP server needs) and delivers its result to an async caller.
/// The caller may stop waiting early (`abandon`): the thread runs on, and its writes are fenced.
final class JobThread<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Result<T, any Error>, Never>?
    private var delivered = false
    private var early: Result<T, any Error>?

    /// Starts `body` on a new thread; `result()` returns when it finishes or is abandoned.
    init(name: String, stackSize: Int = 16 << 20, _ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in self.deliver(Result { try body() }) }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }

    func result() async -> Result<T, any Error> {
        await withCheckedContinuation { cont in
            lock.lock()
            if let early { delivered = true; lock.unlock(); cont.resume(returning: early); return }
            continuation = cont
            lock.unlock()
        }
    }

    /// Stops waiting: `result()` returns `error` now unless the thread already finished.
    func abandon(with error: any Error) { deliver(.failure(error)) }

    private func deliver(_ r: Result<T, any Error>) {
        lock.lock()
        guard !delivered else { lock.unlock(); return }
        if let cont = continuation {
            delivered = true; continuation = nil; lock.unlock()
            cont.resume(returning: r)
        } else {
            if early == nil { early = r }
            lock.unlock()
        }
    }
}
