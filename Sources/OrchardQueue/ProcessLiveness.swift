import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Lease owners are `host:pid:nonce`. On this host a dead pid means a crashed worker whose jobs can
/// be reclaimed at once instead of waiting for the lease to expire.
public enum ProcessLiveness {
    public static let hostName: String = ProcessInfo.processInfo.hostName

    public static func isAlive(pid: Int32) -> Bool {
        if pid == getpid() { return true }
        return kill(pid, 0) == 0 || errno != ESRCH
    }

    /// A fresh lease owner name for this process.
    public static func makeOwner() -> String {
        "\(hostName):\(getpid()):\(Identifiers.make("w").dropFirst(2).prefix(8))"
    }

    /// True when `owner` names a process on this host that no longer exists.
    public static func isDeadLocalOwner(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":")
        guard parts.count == 3, String(parts[0]) == hostName, let pid = Int32(parts[1]) else { return false }
        if pid == getpid() { return !LiveOwners.contains(owner) }
        return !isAlive(pid: pid)
    }
}

/// Lease owners this process is currently using; on this host, an owner with this process's pid
/// that is not in the set belongs to an earlier process that had the same pid.
public enum LiveOwners {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var owners = Set<String>()
    public static func insert(_ owner: String) { lock.withLock { _ = owners.insert(owner) } }
    public static func remove(_ owner: String) { lock.withLock { _ = owners.remove(owner) } }
    public static func contains(_ owner: String) -> Bool { lock.withLock { owners.contains(owner) } }
}
