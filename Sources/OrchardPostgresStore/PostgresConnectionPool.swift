import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A fixed-size pool of PostgreSQL connections for the store's synchronous protocols.
///
/// The bridge, and why: the OrchardQueue protocols are synchronous (`throws`), called from the store's `offload`
/// queue (HTTP handlers) or from worker threads, never from a NIO event loop or Swift's cooperative pool. postgres-nio
/// is asynchronous. The pool owns its own `MultiThreadedEventLoopGroup` (the connections' I/O runs only there) and
/// callers block on `EventLoopFuture.wait()` on their own thread: a blocking wait on a dedicated thread, never on an
/// event loop (NIO asserts that in debug builds). A caller checks a connection out for a whole transaction
/// (`withConnection`), so statements of one transaction share one session; when all are out, callers wait on a
/// condition variable. A connection that failed (closed by the server, network error) is dropped and replaced on the
/// next checkout, so a restarted server is reconnected to without restarting Orchard.
final class PostgresConnectionPool: @unchecked Sendable {
    let url: PostgresDatabaseURL
    /// Set as each connection's `search_path` (nil: the server's default).
    let schema: String?
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let size: Int
    private let condition = NSCondition()
    /// Connections not checked out (guarded by `condition`).
    private var idle: [PostgresConnection] = []
    /// Connections open or being opened, idle or checked out (guarded by `condition`).
    private var open = 0
    private var closed = false
    private var nextID = 0

    init(url: PostgresDatabaseURL, schema: String?, size: Int, logger: Logger) {
        self.url = url
        self.schema = schema
        self.size = max(1, size)
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    deinit { try? group.syncShutdownGracefully() }

    /// Runs `body` with a connection of its own; the connection returns to the pool afterwards, or is discarded
    /// when it is no longer usable.
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkOut()
        do {
            let result = try body(connection)
            checkIn(connection)
            return result
        } catch {
            checkIn(connection)
            throw error
        }
    }

    private func checkOut() throws -> PostgresConnection {
        condition.lock()
        while true {
            if closed { condition.unlock(); throw PostgresStoreError.closed }
            if let c = idle.popLast() {
                if c.isClosed { open -= 1; continue }
                condition.unlock()
                return c
            }
            if open < size { break }
            condition.wait()
        }
        open += 1
        nextID += 1
        let id = nextID
        condition.unlock()
        do {
            return try connect(id: id)
        } catch {
            condition.lock(); open -= 1; condition.signal(); condition.unlock()
            throw error
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        condition.lock()
        if connection.isClosed || closed {
            open -= 1
            if !connection.isClosed { connection.closeInBackground() }
        } else {
            idle.append(connection)
        }
        condition.signal()
        condition.unlock()
    }

    private func connect(id: Int) throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user,
                                                             password: url.password, database: url.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(10)
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
        } catch {
            throw PostgresStoreError.unreachable(url: url, reason: String(reflecting: error))
        }
        if let schema {
            // The schema (created by the store's init) is a name of this process's configuration, quoted as an identifier.
            do {
                try PostgresSession(connection: connection, logger: logger)
                    .execute(sql: "SET search_path TO \(Self.quoted(schema))")
            } catch {
                connection.closeInBackground()
                throw error
            }
        }
        return connection
    }

    /// `name` as a quoted SQL identifier.
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Closes every idle connection; checked-out ones close when they come back.
    func close() {
        condition.lock()
        closed = true
        let all = idle
        idle = []
        open -= all.count
        condition.broadcast()
        condition.unlock()
        for c in all { let closing: EventLoopFuture<Void> = c.close(); try? closing.wait() }
    }
}

/// Failures of the PostgreSQL store that are not a StoreError of the protocols.
public enum PostgresStoreError: Error, CustomStringConvertible {
    /// The server could not be reached or refused the login.
    case unreachable(url: PostgresDatabaseURL, reason: String)
    case closed
    /// A statement failed: the server's SQLSTATE and message, with the statement.
    case server(sqlState: String, message: String, sql: String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason): return "cannot connect to PostgreSQL at \(url): \(reason)"
        case .closed: return "the PostgreSQL store is closed"
        case .server(let state, let message, let sql): return "PostgreSQL error \(state): \(message) (in: \(sql.prefix(200)))"
        }
    }

    var sqlState: String? {
        if case .server(let s, _, _) = self { return s }
        return nil
    }
}

extension PostgresConnection {
    /// Starts closing the connection without waiting (the EventLoopFuture overload of `close()`, named apart from
    /// the async one).
    func closeInBackground() {
        let _: EventLoopFuture<Void> = close()
    }
}
