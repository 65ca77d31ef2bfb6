import Foundation

/// Runs the ordinary system clients (apt-get, dpkg-deb, pip, tar, groff) and reports failures with
/// their output. Output goes through temporary files so large outputs cannot dead-lock a pipe.
public enum ProcessRunner {
    public struct Result {
        public let status: Int32
        public let stdout: Data
        public let stderr: String
    }

    /// Runs `arguments[0]` (looked up on PATH) and returns its output, whatever the exit status.
    public static func run(_ arguments: [String], in directory: URL? = nil, stdin: URL? = nil) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = outHandle
        process.standardError = errHandle
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) } else { process.standardInput = FileHandle.nullDevice }
        do { try process.run() } catch {
            throw CorpusError.commandFailed(command: arguments.joined(separator: " "), status: -1, output: "\(error)")
        }
        process.waitUntilExit()
        try outHandle.close(); try errHandle.close()
        let stdout = FileManager.default.contents(atPath: outURL.path) ?? Data()
        let stderr = String(decoding: FileManager.default.contents(atPath: errURL.path) ?? Data(), as: UTF8.self)
        return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Runs and throws `commandFailed` on a non-zero exit status.
    @discardableResult
    public static func check(_ arguments: [String], in directory: URL? = nil, stdin: URL? = nil) throws -> Data {
        let result = try run(arguments, in: directory, stdin: stdin)
        guard result.status == 0 else {
            throw CorpusError.commandFailed(command: arguments.joined(separator: " "), status: result.status,
                                            output: result.stderr + String(decoding: result.stdout.suffix(1000), as: UTF8.self))
        }
        return result.stdout
    }

    public static func isAvailable(_ tool: String) -> Bool {
        (try? run(["sh", "-c", "command -v \(tool)"]).status) == 0
    }
}
