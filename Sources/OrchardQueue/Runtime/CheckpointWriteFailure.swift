import Foundation
import OrchardJobs

/// A checkpoint that could not be written (a full disk, an I/O error) fails the attempt, not the service: the
/// temporary directory is discarded, the job's earlier checkpoints are untouched (a checkpoint becomes visible only
/// by one rename after it is complete), and the job is retried with backoff — resuming from its newest complete
/// checkpoint — until `max_attempts`, then fails with the same code. The code is `disk_full` when the file system
/// reported no space (ENOSPC, EDQUOT), `checkpoint_write_failed` for other file-system errors.
enum CheckpointWriteFailure {
    static func classify(_ error: any Error, checkpoint id: String) -> any Error {
        guard let posix = posixCode(error) else {
            return isFileSystemError(error)
                ? JobError.transient(code: "checkpoint_write_failed", message: "checkpoint \(id) could not be written: \(error)")
                : error
        }
        if posix == ENOSPC || posix == EDQUOT {
            return JobError.transient(code: "disk_full", message: "checkpoint \(id) could not be written: no space left on the checkpoint file system (\(String(cString: strerror(posix)))); earlier checkpoints are intact")
        }
        return JobError.transient(code: "checkpoint_write_failed", message: "checkpoint \(id) could not be written: \(String(cString: strerror(posix)))")
    }

    /// The errno behind a Foundation or POSIX error, following underlying errors.
    static func posixCode(_ error: any Error) -> Int32? {
        if let e = error as? POSIXError { return e.code.rawValue }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if ns.domain == NSCocoaErrorDomain, ns.code == CocoaError.fileWriteOutOfSpace.rawValue { return ENOSPC }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? any Error { return posixCode(underlying) }
        return nil
    }

    static func isFileSystemError(_ error: any Error) -> Bool {
        let ns = error as NSError
        return ns.domain == NSCocoaErrorDomain && (CocoaError.Code.fileNoSuchFile.rawValue...CocoaError.Code.fileWriteVolumeReadOnly.rawValue).contains(ns.code)
    }
}
