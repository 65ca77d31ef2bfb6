import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OrchardJobs
#if canImport(Glibc)
import Glibc
#endif

/// The directory holding the built executables (next to the test binary).
func productsDirectory() throws -> URL {
    var candidates: [URL] = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
    if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent()) }
    for c in candidates where FileManager.default.isExecutableFile(atPath: c.appendingPathComponent("orchard-testserver").path) {
        return c
    }
    throw E2EError("orchard-testserver not found next to the test binary (looked in \(candidates.map(\.path)))")
}

struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Runs a built executable to completion and returns (status, stdout, stderr). `timeout`: SIGKILL it after this
/// long (for commands expected to exit at once that would otherwise run on, like a `serve` that should refuse to start).
@discardableResult
func runTool(_ name: String, _ args: [String], env: [String: String] = [:], timeout: Duration? = nil) throws -> (Int32, String, String) {
    try run(executable: try productsDirectory().appendingPathComponent(name), args, env: env, timeout: timeout)
}

/// `runTool` for a program on PATH (`args[0]`).
@discardableResult
func runProgram(_ args: [String], env: [String: String] = [:], timeout: Duration? = nil) throws -> (Int32, String, String) {
    try run(executable: URL(fileURLWithPath: "/usr/bin/env"), args, env: env, timeout: timeout)
}

private func run(executable: URL, _ args: [String], env: [String: String], timeout: Duration?) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = executable
    p.arguments = args
    p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    let pid = p.processIdentifier
    let killer = DispatchWorkItem { Glibc.kill(pid, SIGKILL) }
    if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + Double(timeout.components.seconds), execute: killer) }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    killer.cancel()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// A real `orchard serve` process (the test build, `orchard-testserver`, which adds the test job types).
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let dataDir: URL
    private let lock = NSLock()
    private var log = ""
    private(set) var port = 0
    /// "https" when started with `--tls-cert` (the port then speaks only TLS), else "http".
    let scheme: String

    init(dataDir: URL, extraArgs: [String] = []) throws {
        self.dataDir = dataDir
        scheme = extraArgs.contains("--tls-cert") ? "https" : "http"
        process.executableURL = try productsDirectory().appendingPathComponent("orchard-testserver")
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir.path,
                             "--lease-seconds", "3", "--heartbeat-seconds", "0.5", "--reap-seconds", "0.2"] + extraArgs
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        err.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self, !d.isEmpty else { return }
            self.lock.withLock { self.log += String(decoding: d, as: UTF8.self) }
        }
        try process.run()
    }

    var output: String { lock.withLock { log } }
    var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Waits for the "listening" line (the first log line) and reads the port from it.
    func waitUntilListening(timeout: Duration = .seconds(60)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let text = output
            // The first log line is Orchard's own and names the port (docs/architecture.md, "Logging and start-up").
            if let firstLine = text.split(separator: "\n").first, let r = firstLine.range(of: "orchard listening on \(scheme)://127.0.0.1:") {
                let digits = firstLine[r.upperBound...].prefix { $0.isNumber }
                if let p = Int(digits), p > 0 { port = p; return }
            }
            if !process.isRunning { throw E2EError("server exited: \(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw E2EError("server did not report its port: \(output)")
    }

    func kill(_ signal: Int32) { Glibc.kill(process.processIdentifier, signal) }

    func waitForExit(timeout: Duration) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        while process.isRunning {
            if clock.now - start > timeout { throw E2EError("server still running after \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return clock.now - start
    }

    deinit { if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) } }
}

/// Minimal JSON-over-HTTP client for the tests.
struct API {
    let base: String
    let key: String

    func call(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil, headers: [(String, String)] = []) async throws -> (Int, JSONValue) {
        var req = HTTPClientRequest(url: base + path)
        req.method = method
        req.headers.add(name: "Authorization", value: "Bearer \(key)")
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        if let body { req.body = .bytes(ByteBuffer(bytes: body.canonicalData())) }
        let r = try await HTTPClient.shared.execute(req, timeout: .seconds(30))
        let b = try await r.body.collect(upTo: 16 << 20)
        return (Int(r.status.code), (try? JSONDecoder().decode(JSONValue.self, from: Data(b.readableBytesView))) ?? .string(String(buffer: b)))
    }

    func job(_ id: String) async throws -> JSONValue { try await call(.GET, "/v1/jobs/\(id)").1 }

    /// Every event of a job through the paged endpoint.
    func allEvents(_ id: String) async throws -> [JSONValue] {
        var out: [JSONValue] = []
        var after = 0
        while true {
            let page = try await call(.GET, "/v1/jobs/\(id)/events?after=\(after)&limit=1000").1
            let data = page["data"]?.arrayValue ?? []
            out += data
            after = data.last?["id"]?.intValue ?? after
            if page["has_more"] != true { return out }
        }
    }

    /// The SSE stream from `lastEventID` to the end event: (ids, event types).
    func stream(_ id: String, lastEventID: Int?) async throws -> [(Int, String)] {
        var req = HTTPClientRequest(url: base + "/v1/jobs/\(id)/events/stream")
        req.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let lastEventID { req.headers.add(name: "Last-Event-ID", value: String(lastEventID)) }
        let r = try await HTTPClient.shared.execute(req, timeout: .seconds(120))
        let b = try await r.body.collect(upTo: 64 << 20)
        var out: [(Int, String)] = []
        for frame in String(buffer: b).components(separatedBy: "\n\n") {
            var sid: Int?, type = ""
            for line in frame.split(separator: "\n") {
                if line.hasPrefix("id: ") { sid = Int(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { type = String(line.dropFirst(7)) }
            }
            if let sid { out.append((sid, type)) } else if type == "end" { out.append((-1, "end")) }
        }
        return out
    }
}

func temporaryDataDir(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("orchard-e2e-\(name)-\(UUID().uuidString)", isDirectory: true)
}

func createKey(dataDir: URL, tenant: String = "acme", tool: String = "orchard-testserver", extraArgs: [String] = []) throws -> String {
    let (status, out, err) = try runTool(tool, ["keys", "create", "--tenant", tenant, "--data-dir", dataDir.path] + extraArgs)
    guard status == 0, let last = out.split(separator: "\n").last else { throw E2EError("keys create failed: \(err)") }
    return String(last)
}

func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw E2EError("timed out waiting for \(what)")
}
