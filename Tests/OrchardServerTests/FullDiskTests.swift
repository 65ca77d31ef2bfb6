import Foundation
import OrchardJobs
import OrchardQueue
import OrchardStore
import OrchardTestSupport
import Testing

/// A checkpoint write that hits a full disk fails that attempt cleanly (issue 19 item 9): the earlier checkpoint is
/// intact and listed, no temporary directory is left, and the job is retried from it or fails with a clear error.
@Suite(.serialized) struct FullDiskTests {
    /// Every file of a listed checkpoint is on disk with the SHA-256 the listing states.
    func checkpointsAreIntact(_ server: TestServer, _ id: String) throws -> [Int] {
        let listed = try server.store.checkpoints(jobID: id, tenant: "acme")
        for c in listed {
            let dir = server.store.checkpointStorage.url(of: c.path)
            for f in c.files {
                let data = try Data(contentsOf: dir.appendingPathComponent(f.name))
                #expect(Fingerprint.sha256(data) == f.sha256, "\(c.id)/\(f.name)")
            }
        }
        return listed.map(\.step)
    }

    /// Directories under the checkpoint root that are not a published checkpoint (temporaries of failed writes).
    func strayDirectories(_ server: TestServer, _ id: String) throws -> [String] {
        let root = server.store.configuration.checkpointsURL
        let published = Set(try server.store.checkpoints(jobID: id, tenant: "acme").map { server.store.checkpointStorage.url(of: $0.path).standardizedFileURL.path })
        var stray: [String] = []
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey])
        while let url = walker?.nextObject() as? URL {
            let path = url.standardizedFileURL.path
            if published.contains(path) { walker?.skipDescendants(); continue }
            if (try? url.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true,
               (try? FileManager.default.contentsOfDirectory(atPath: path))?.contains(where: { $0.hasSuffix(".json") || $0.hasSuffix(".bin") }) == true {
                stray.append(path)
            }
        }
        return stray
    }

    @Test func anInjectedENOSPCFailsTheAttemptAndTheRetryResumesFromTheIntactCheckpoint() async throws {
        let server = try TestServer()
        let id = try submit(server, ["steps": 10, "checkpoint_every": 3, "fail_checkpoint_writes_attempts": 1])
        try await withWorkers(server) { _ in
            let done = try await eventually { try status(server, id).status == .succeeded }
            #expect(done)
        }
        let job = try status(server, id)
        #expect(job.attempt == 2)
        #expect(job.result?["value"]?.stringValue == String(TestCounterKind.expectedValue(seed: 11, steps: 10)))
        let events = try server.store.events(jobID: id, tenant: "acme", after: 0, limit: 1000).events
        let retry = try #require(events.first { $0.type == QueueEventType.retrying })
        #expect(retry.data["error"]?["code"] == "disk_full" || retry.message.contains("disk_full"), "\(retry)")
        // Attempt 2 resumed from step 3, the checkpoint attempt 1 wrote before the disk "filled".
        let resumed = try #require(events.first { $0.type == "resumed" })
        #expect(resumed.data["step"] == 3)
        #expect(try checkpointsAreIntact(server, id).contains(9))
        #expect(try strayDirectories(server, id).isEmpty)
    }

    /// A real full file system: the checkpoint directory is a 128 KiB tmpfs and each checkpoint needs 80 KiB, so the
    /// second cannot be written on any attempt. Each attempt fails `disk_full`; then the job fails `max_attempts_exceeded`
    /// naming it; the first checkpoint
    /// stays intact and the failed writes leave nothing behind.
    @Test(.enabled(if: SmallFileSystem.canMount, "needs permission to mount a tmpfs"))
    func aRealFullFileSystemFailsTheJobWithAClearErrorAndKeepsTheLastCheckpoint() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-fulldisk-\(UUID().uuidString)")
        let checkpoints = dir.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        try SmallFileSystem.mount(at: checkpoints, kilobytes: 128)
        defer { SmallFileSystem.unmount(checkpoints); try? FileManager.default.removeItem(at: dir) }
        let server = try TestServer(dataDirectory: dir)
        let id = try submit(server, ["steps": 6, "checkpoint_every": 2, "checkpoint_padding_bytes": 81920], maxAttempts: 2)
        try await withWorkers(server) { _ in
            let done = try await eventually(timeout: .seconds(60)) { try status(server, id).status.isTerminal }
            #expect(done)
        }
        let job = try status(server, id)
        let error = try #require(job.error)
        // The attempts ran out; the failure names the cause of the last one.
        #expect(job.status == .failed && error.code == "max_attempts_exceeded", "\(error)")
        #expect(error.message.contains("disk_full") && error.message.contains("no space"), "\(error.message)")
        #expect(try checkpointsAreIntact(server, id) == [2])
        #expect(try strayDirectories(server, id).isEmpty)
    }
}

/// A tmpfs of a given size, for tests that need a file system that really fills up (root or CAP_SYS_ADMIN).
enum SmallFileSystem {
    static let canMount: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-mount-probe-\(getpid())")
        try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: probe) }
        guard (try? mount(at: probe, kilobytes: 64)) != nil else { return false }
        unmount(probe)
        return true
    }()

    static func mount(at dir: URL, kilobytes: Int) throws {
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", dir.path]) == 0 else {
            throw CocoaError(.fileWriteNoPermission)
        }
    }

    static func unmount(_ dir: URL) { _ = run("/bin/umount", [dir.path]) }

    private static func run(_ tool: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
