import Foundation
import GRDBSQLite

/// Moves SQLite's WAL checkpoints off the writer's path.
///
/// By default the connection that commits the transaction that pushes the WAL past 1,000 pages checkpoints it
/// itself: it syncs the WAL, copies the frames into the database file and syncs that, about two `fdatasync`s
/// (3–4 ms each on the VMs measured) while holding the store's single writer, so every other writer waits. Here
/// the writer's automatic checkpoint is only a backstop (`backstopPages`), and a thread with its own connection
/// runs a PASSIVE checkpoint every `interval` when the WAL has frames not yet copied. A PASSIVE checkpoint takes no
/// lock that writers or readers wait on (SQLite's CHECKPOINTER lock only): commits go on while it syncs.
///
/// Durability is unchanged across process crashes (a committed transaction is in the WAL, which SQLite replays on
/// open). Across a power loss, `synchronous = NORMAL` keeps what the last checkpoint synced: with this thread that is
/// at most `interval` plus one checkpoint old while the store is written, instead of up to 1,000 pages of commits
/// (and, when writes stop below that, until the operating system writes the WAL back).
public final class WALCheckpointer: @unchecked Sendable {
    /// The writer's `wal_autocheckpoint`: it checkpoints itself only if this thread falls this far behind
    /// (or is not running, e.g. a tool that opens the store briefly). 16,384 pages = 64 MiB of WAL at 4 KiB.
    public static let backstopPages = 16_384
    /// How often the thread looks for frames to copy.
    public static let defaultInterval: TimeInterval = 0.1

    private let loop: Loop

    /// Opens its own connection to the database at `path` (in WAL mode already) and starts the thread.
    public init(databasePath path: String, interval: TimeInterval = WALCheckpointer.defaultInterval) {
        loop = Loop(path: path, interval: interval)
        // The thread holds the loop, not this object, so dropping the last reference to this object stops it.
        let thread = Thread { [loop] in loop.run() }
        thread.name = "orchard.wal-checkpointer"
        thread.start()
    }

    deinit { loop.stop() }

    /// Stops the thread after a last checkpoint and waits for it to end. Idempotent.
    public func stop() { loop.stop() }

    private final class Loop: @unchecked Sendable {
        let path: String
        let interval: TimeInterval
        let condition = NSCondition()
        var stopping = false
        var finished = false

        init(path: String, interval: TimeInterval) {
            self.path = path
            self.interval = interval
        }

        func stop() {
            condition.lock()
            stopping = true
            condition.broadcast()
            while !finished { condition.wait() }
            condition.unlock()
        }

        func run() {
            var opened: OpaquePointer?
            let db: OpaquePointer? = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK ? opened : nil
            if db == nil { sqlite3_close_v2(opened) }
            // The checkpoint syncs the WAL before copying and the database file after, as the writer's own does.
            if let db { sqlite3_exec(db, "PRAGMA synchronous = NORMAL", nil, nil, nil) }
            condition.lock()
            while !stopping {
                condition.unlock()
                if let db { Self.checkpoint(db) }
                condition.lock()
                if !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: interval)) }
            }
            condition.unlock()
            if let db {
                Self.checkpoint(db)
                sqlite3_close_v2(db)
            }
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }

        /// One PASSIVE checkpoint. It copies as many frames as no reader still needs, never waits on a lock and
        /// returns at once when the WAL holds nothing new (an idle store costs no I/O). A failure (e.g. SQLITE_BUSY
        /// while another connection checkpoints) is left to the next round or to the writer's backstop.
        static func checkpoint(_ db: OpaquePointer) {
            var logFrames: Int32 = 0, copied: Int32 = 0
            _ = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied)
        }
    }
}
