import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import OrchardJobs

/// `orchard watch JOB`: follows the job's Server-Sent Events and draws a progress bar with the
/// latest metrics; reconnects with `Last-Event-ID` after a dropped connection; exits when the job ends
/// (status 0 if it succeeded, 1 otherwise).
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Follow a job's events with a progress bar.")

    @Argument(help: "Job id.") var job: String
    @Flag(help: "Print every event as a JSON line instead of the progress bar.") var raw = false

    func run() async throws {
        let client = try APIClient.fromEnvironment()
        var lastID = 0
        var display = ProgressDisplay()
        var finalStatus: String?
        var failures = 0
        var lastRefresh = Date.distantPast
        while finalStatus == nil {
            var req = HTTPClientRequest(url: client.baseURL + "/v1/jobs/\(job)/events/stream")
            req.headers.add(name: "Authorization", value: "Bearer \(client.apiKey)")
            req.headers.add(name: "Accept", value: "text/event-stream")
            if lastID > 0 { req.headers.add(name: "Last-Event-ID", value: String(lastID)) }
            do {
                let response = try await HTTPClient.shared.execute(req, timeout: .hours(24 * 365))
                guard response.status.code == 200 else {
                    let body = try await response.body.collect(upTo: 1 << 20)
                    throw APIClient.Failure(status: Int(response.status.code), body: String(buffer: body))
                }
                var parser = SSEParser()
                for try await chunk in response.body {
                    for event in parser.feed(String(buffer: chunk)) {
                        if let id = event.id, let n = Int(id) { lastID = n }
                        if event.event == "end" {
                            let data = try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8))
                            finalStatus = data?["status"]?.stringValue ?? "unknown"
                            break
                        }
                        guard let data = try? JSONDecoder().decode(JSONValue.self, from: Data(event.data.utf8)) else { continue }
                        if raw { print(event.data); continue }
                        display.update(with: data)
                        // The job object carries total_steps; refresh it at most twice a second.
                        if Date().timeIntervalSince(lastRefresh) > 0.5 {
                            lastRefresh = Date()
                            if let j = try? await client.request(.GET, "/v1/jobs/\(job)") { display.update(job: j) }
                        }
                    }
                    if finalStatus != nil { break }
                }
                failures = 0
            } catch let e as APIClient.Failure {
                throw e
            } catch {
                failures += 1
                if failures > 10 { throw error }
                try await Task.sleep(for: .seconds(1))
            }
        }
        if !raw {
            if let j = try? await client.request(.GET, "/v1/jobs/\(job)") { display.update(job: j) }
            display.finish(status: finalStatus ?? "unknown")
        }
        if finalStatus != "succeeded" { throw ExitCode(1) }
    }
}

/// Incremental `text/event-stream` parser (LF or CRLF lines; multi-line data joined with \n).
struct SSEParser {
    struct Event { var id: String?; var event: String; var data: String }
    private var buffer = ""
    private var current = Event(id: nil, event: "message", data: "")
    private var hasData = false

    mutating func feed(_ text: String) -> [Event] {
        buffer += text
        var out: [Event] = []
        while let nl = buffer.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) {
            var line = String(buffer[..<nl])
            buffer.removeSubrange(...nl)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty {
                if hasData || current.event != "message" { out.append(current) }
                current = Event(id: nil, event: "message", data: ""); hasData = false
                continue
            }
            if line.hasPrefix(":") { continue }
            let (field, value): (Substring, Substring)
            if let colon = line.firstIndex(of: ":") {
                field = line[..<colon]
                var v = line[line.index(after: colon)...]
                if v.hasPrefix(" ") { v = v.dropFirst() }
                value = v
            } else { field = Substring(line); value = "" }
            switch field {
            case "id": current.id = String(value)
            case "event": current.event = String(value)
            case "data": current.data += (hasData ? "\n" : "") + value; hasData = true
            default: break
            }
        }
        return out
    }
}

/// One status line: `[#####-----] 50/100  loss=2.31  job.started`, redrawn in place on a terminal; when stdout
/// is a pipe or a file, one plain line per event instead (no escape codes, no redraws).
struct ProgressDisplay {
    let interactive = isatty(STDOUT_FILENO) != 0
    var step = 0
    var total: Int?
    var metrics: [String: Double] = [:]
    var lastType = ""

    mutating func update(with event: JSONValue) {
        lastType = event["type"]?.stringValue ?? lastType
        let data = event["data"]
        if lastType == "metrics", case .object(let o)? = data {
            for (k, v) in o where k != "step" { if let d = v.doubleValue { metrics[k] = d } }
            if let s = o["step"]?.intValue { step = s }
        }
        if let s = data?["step"]?.intValue { step = s }
        if let t = data?["total_steps"]?.intValue { total = t }
        draw()
    }

    mutating func update(job: JSONValue) {
        if let s = job["progress"]?["step"]?.intValue { step = s }
        if let t = job["progress"]?["total_steps"]?.intValue { total = t }
        if interactive { draw() }
    }

    func draw() {
        let width = 30
        var bar = ""
        if let total, total > 0 {
            let filled = min(width, width * step / total)
            bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] \(step)/\(total)"
        } else {
            bar = "step \(step)"
        }
        let m = metrics.keys.sorted().prefix(4).map { "\($0)=\(String(format: "%.4g", metrics[$0]!))" }.joined(separator: "  ")
        let line = "\(bar)  \(m)  \(lastType)"
        FileHandle.standardOutput.write(Data((interactive ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }

    /// The final progress (from the finished job) and the status; without a terminal the job refreshes
    /// were not drawn, so the last line of progress is printed here.
    func finish(status: String) {
        if interactive { print("\n\(status)"); return }
        draw()
        print(status)
    }
}
