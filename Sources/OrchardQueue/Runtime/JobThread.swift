import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a synchronous, CPU-bound job body on a dedicated thread (never on Swift concurrency's
/// cooperative pool, which the HTTP server needs) and delivers its result to an async caller.
/// The caller may stop waiting early (`abandon`): the thread runs on, and its writes are fenced.
final class JobThread<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Result<T, any Error>, Never>?
    private var delivered = false
    private var early: Result<T, any Error>?

    /// Starts `body` on a new thread; `result()` returns when it finishes or is abandoned.
    /// `nice` > 0 lowers the thread's CPU priority (Linux nice values are per thread and inherited
    /// by the threads it creates), so compute never starves the HTTP server's event loops.
    init(name: String, stackSize: Int = 16 << 20, nice: Int32 = 0, _ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            if nice > 0 { Self.lowerPriority(by: nice) }
            self.deliver(Result { try body() })
        }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }

    static func lowerPriority(by nice: Int32) {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
        #endif
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
