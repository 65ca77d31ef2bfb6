import Foundation

/// A `postgres://user[:password]@host[:port]/database` URL (also `postgresql://`), as `--database` takes it.
/// Parsing never crashes: a malformed URL is a `PostgresDatabaseURL.Invalid` whose message names what is wrong,
/// which the command line reports as a usage error of its flag.
public struct PostgresDatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String) {
        self.host = host; self.port = port; self.user = user; self.password = password; self.database = database
    }

    /// True when `text` names PostgreSQL (its scheme), whether or not the rest is valid.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(parsing text: String) throws {
        let example = "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
        guard Self.isPostgres(text), let c = URLComponents(string: text) else {
            throw Invalid(description: "'\(text)' is not a PostgreSQL URL: \(example)")
        }
        guard let host = c.host, !host.isEmpty else { throw Invalid(description: "'\(text)' names no host: \(example)") }
        guard let user = c.user, !user.isEmpty else { throw Invalid(description: "'\(text)' names no user: \(example)") }
        if let port = c.port, !(1...65535).contains(port) { throw Invalid(description: "'\(text)': port \(port) is out of range") }
        let db = String(c.path.drop(while: { $0 == "/" }))
        guard !db.isEmpty, !db.contains("/") else { throw Invalid(description: "'\(text)' names no database: \(example)") }
        self.init(host: host, port: c.port ?? 5432, user: user.removingPercentEncoding ?? user,
                  password: c.password.map { $0.removingPercentEncoding ?? $0 }, database: db.removingPercentEncoding ?? db)
    }

    /// The URL with any password replaced by `***` (for logs).
    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    /// The same server and credentials, another database (tests create one database each).
    public func with(database: String) -> PostgresDatabaseURL {
        var u = self; u.database = database; return u
    }
}
