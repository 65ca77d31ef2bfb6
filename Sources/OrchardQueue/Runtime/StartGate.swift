import Foundation

/// Holds the worker pool and reaper back until the HTTP server is listening, so the server's
/// "listening on HOST:PORT" line is the first thing the process logs (`--port 0` users read it).
public final class StartGate: @unchecked Sendable {
    private let lock = NSLock()
    private var opened = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(open: Bool = false) { opened = open }

    public func open() {
        let ws: [CheckedContinuation<Void, Never>] = lock.withLock {
            opened = true
            defer { waiters = [] }
            return waiters
        }
        for w in ws { w.resume() }
    }

    public func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if opened { lock.unlock(); c.resume(); return }
            waiters.append(c)
            lock.unlock()
        }
    }
}
