import Foundation
import OrchardJobs
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `orchard watch` in a real pseudo-terminal of 80 columns (issue 21 item 1), against a real server and job: the
/// test reads the screen the way a terminal would draw it.
@Suite(.serialized) struct WatchTerminalTests {
    @Test func watchKeepsOneStatusLineThatFitsEightyColumns() async throws {
        let dir = temporaryDataDir("watch-tty")
        let key = try createKey(dataDir: dir, tool: "orchard")
        let server = try ServerProcess(dataDir: dir)
        try await server.waitUntilListening()
        let env = ["ORCHARD_URL": server.baseURL, "ORCHARD_API_KEY": key]
        let (s, out, err) = try runTool("orchard", ["submit", "test_counter", "--params",
                                                     #"{"steps": 40, "step_ms": 80, "checkpoint_every": 10, "warn_at_step": 12}"#], env: env)
        #expect(s == 0, "\(err)")
        let id = try #require(try JSONDecoder().decode(JSONValue.self, from: Data(out.utf8))["id"]?.stringValue)

        let run = try PseudoTerminal.run("orchard", ["watch", id], env: env, columns: 80, timeout: .seconds(90))
        #expect(run.status == 0, "\(run.stderr)")
        let screen = run.screen
        // Nothing reached the last column, so the terminal never wrapped a status line onto a second row.
        #expect(!screen.wrapped, "\(screen.text)")
        #expect(screen.drawn.allSatisfy { $0.count < 80 }, "\(screen.drawn.max { $0.count < $1.count } ?? "")")
        // Redraws overwrote each other: the final screen holds the warning and the summary, no trail of status lines.
        let lines = screen.lines.filter { !$0.isEmpty }
        #expect(lines.filter { $0.contains("/40") }.count <= 1, "\(screen.text)")
        #expect(lines.filter { $0 == "warning at step 12: test_warning: a warning on purpose" }.count == 1, "\(screen.text)")
        #expect(lines.contains { $0.hasPrefix("\(id) succeeded in ") && $0.hasSuffix("(40/40 steps)") }, "\(screen.text)")
        #expect(lines.contains { $0.hasPrefix("best: loss ") } && lines.contains { $0.hasPrefix("final checkpoint: ckpt_") }, "\(screen.text)")
        // While it ran, the status line carried progress, rate and time left.
        #expect(screen.drawn.contains { $0.contains("/40") && $0.contains("steps/s") && $0.contains("left") && $0.contains("loss ") },
                "\(screen.drawn.suffix(5))")
    }
}

/// A program run with its stdout on the slave side of a pseudo-terminal of a given size; stderr goes to a pipe.
enum PseudoTerminal {
    struct Run { var status: Int32; var screen: TerminalScreen; var stderr: String }

    static func run(_ tool: String, _ args: [String], env: [String: String], columns: Int, rows: Int = 24, timeout: Duration) throws -> Run {
        // posix_openpt/unlockpt/ptsname as Linux implements them (Swift does not import the libc wrappers here):
        // open the multiplexer, clear the lock (TIOCSPTLCK), read the slave's number (TIOCGPTN).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0, number: UInt32 = 0
        let tiocsptlck: UInt = 0x4004_5431, tiocgptn: UInt = 0x8004_5430
        guard master >= 0, ioctl(master, tiocsptlck, &unlock) == 0, ioctl(master, tiocgptn, &number) == 0 else {
            throw E2EError("no pseudo-terminal: errno \(errno)")
        }
        let slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw E2EError("cannot open /dev/pts/\(number)") }
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)

        let p = Process()
        p.executableURL = try productsDirectory().appendingPathComponent(tool)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        p.standardOutput = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        p.standardInput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        close(slave)

        final class Received: @unchecked Sendable {
            let lock = NSLock()
            var bytes: [UInt8] = []
        }
        let received = Received()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(master, &buffer, buffer.count)
                if n <= 0 { break }   // EIO once the program (the last holder of the slave) has exited
                received.lock.withLock { received.bytes += buffer[0..<n] }
            }
        }
        reader.start()
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.2)
        close(master)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        var screen = TerminalScreen(columns: columns)
        screen.feed(String(decoding: received.lock.withLock { received.bytes }, as: UTF8.self))
        return Run(status: p.terminationStatus, screen: screen, stderr: stderr)
    }
}

/// Just enough of a terminal to see what `watch` draws: printable characters, CR, LF, `ESC [ K` (erase to the end of
/// the line; other CSI sequences are ignored) and auto-wrap at the last column, which it records.
struct TerminalScreen {
    let columns: Int
    private(set) var lines: [String] = [""]
    private var row = 0
    private var col = 0
    /// A character was written past the last column (the terminal wrapped it onto the next row).
    private(set) var wrapped = false
    /// Every line content as it stood when the cursor left it by CR or LF: each drawn status line, each printed line.
    private(set) var drawn: [String] = []

    init(columns: Int) { self.columns = columns }

    var text: String { lines.joined(separator: "\n") }

    mutating func feed(_ text: String) {
        var it = Array(text).makeIterator()
        while let c = it.next() {
            switch c {
            case "\r\n": newline()
            case "\r": drawn.append(lines[row]); col = 0
            case "\n": newline()
            case "\u{1B}":
                guard it.next() == "[" else { continue }
                var final: Character = " "
                while let x = it.next() { if x.isLetter { final = x; break } }
                if final == "K" { lines[row] = String(lines[row].prefix(col)) }
            default:
                if col >= columns { wrapped = true; newline() }
                var chars = Array(lines[row])
                while chars.count < col { chars.append(" ") }
                if col < chars.count { chars[col] = c } else { chars.append(c) }
                lines[row] = String(chars)
                col += 1
            }
        }
    }

    private mutating func newline() {
        drawn.append(lines[row])
        row += 1; col = 0
        if row == lines.count { lines.append("") }
    }
}
