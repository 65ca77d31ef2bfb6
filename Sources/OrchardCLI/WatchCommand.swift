import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import OrchardJobs

/// `orchard watch JOB`: follows the job's Server-Sent Events. On a terminal: one status line redrawn in place, never
/// wider than the terminal (its width is read again at every redraw, so a resize takes effect at the next event), with
/// progress, rates, time left and the job type's headline metrics (`WatchStatus`); warnings on their own lines above
/// it; a closing summary. Otherwise plain lines, one per event. Reconnects with `Last-Event-ID` after a dropped
/// connection; exits when the job ends (status 0 if it succeeded, 1 otherwise).
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Follow a job's events with a progress line.")

    @Argument(help: "Job id.") var job: String
    @Flag(help: "Print every event as a JSON line instead of the progress line.") var raw = false

    func run() async throws {
        let client = try APIClient.fromEnvironment()
        var lastID = 0
        var screen = WatchScreen()
        var finalStatus: String?
        var failures = 0
        var lastRefresh = Date.distantPast
        if !raw, let j = try? await client.request(.GET, "/v1/jobs/\(job)") { screen.status.apply(job: j, at: Date()) }
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
                        // The job object carries total steps and tokens; refresh it at most twice a second.
                        if Date().timeIntervalSince(lastRefresh) > 0.5 {
                            lastRefresh = Date()
                            if let j = try? await client.request(.GET, "/v1/jobs/\(job)") { screen.status.apply(job: j, at: lastRefresh) }
                        }
                        screen.show(event: data)
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
            let j = try? await client.request(.GET, "/v1/jobs/\(job)")
            if let j { screen.status.apply(job: j, at: Date()) }
            screen.finish(job: j, status: finalStatus ?? "unknown")
        }
        if finalStatus != "succeeded" { throw ExitCode(1) }
    }
}

/// Where `WatchStatus` is drawn: on a terminal, `\r` + clear-line + the status line (cut to the width), warnings
/// printed above it; on a pipe or file, one plain line per event (no escape codes, no redraws).
struct WatchScreen {
    var status = WatchStatus()
    let interactive = isatty(STDOUT_FILENO) != 0

    mutating func show(event: JSONValue) {
        let now = Date()
        status.apply(event: event, at: now)
        if let warning = WatchStatus.warning(event) {
            write(interactive ? "\r\u{1B}[K" + warning + "\n" : warning + "\n")
        }
        if interactive {
            write("\r\u{1B}[K" + status.line(width: TerminalSize.columns(STDOUT_FILENO) ?? 80, now: now))
        } else {
            write(status.line(width: 10_000, now: now) + "  " + (event["type"]?.stringValue ?? "") + "\n")
        }
    }

    func finish(job: JSONValue?, status finalStatus: String) {
        var text = interactive ? "\r\u{1B}[K" : ""
        if !interactive { text += status.line(width: 10_000, now: Date()) + "\n" }
        text += status.summary(job: job, status: finalStatus).joined(separator: "\n") + "\n"
        write(text)
    }

    private func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
}

/// The width of the terminal on `fd` (TIOCGWINSZ), or nil when it is not a terminal or reports 0.
enum TerminalSize {
    static func columns(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
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
