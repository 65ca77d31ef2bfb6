import Foundation
import OrchardJobs

/// Where checkpoint files live: a local directory today (`LocalCheckpointStorage`), a shared file system for
/// several worker nodes later. Writes are atomic: a runner fills a fresh temporary directory, `seal` hashes
/// and fsyncs it, `publish` moves it to its final place in one rename; a crash leaves the complete checkpoint
/// or an orphan that `removeOrphans` deletes, never a half-written one.
public protocol CheckpointStorage: Sendable {
    /// A fresh, empty directory for checkpoint `id`'s files.
    func makeTemporaryDirectory(id: String) throws -> URL
    /// Hashes and fsyncs every file below `directory`; the list is sorted by name.
    func seal(_ directory: URL) throws -> [CheckpointFile]
    /// Moves a sealed directory to its final place; returns its storage path.
    func publish(_ temporary: URL, jobID: String, id: String) throws -> String
    /// The local directory of a storage path.
    func url(of path: String) -> URL
    /// Deletes a checkpoint's files (pruned by retention, or never indexed).
    func remove(path: String)
    /// Deletes a temporary directory that was never published.
    func discard(_ temporary: URL)
    /// Deletes temporary directories left by writers that crashed.
    func removeOrphans()
    /// Storage paths of published checkpoint directories last modified before `date`.
    func publishedPaths(modifiedBefore date: Date) -> [String]
}
