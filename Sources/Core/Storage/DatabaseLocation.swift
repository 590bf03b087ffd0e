public import Foundation

/// Where the data lives: an SQLite file (the embedded default) or a PostgreSQL server shared by several instances.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(URL)
    case postgres(PostgresLocation)

    /// Reads `--database-url`: `sqlite://PATH` (or `sqlite:PATH`) or `postgres://USER:PASSWORD@HOST:PORT/DATABASE`
    /// (`postgresql://` too), with `?sslmode=disable|prefer|require` and `pool_size=N`.
    public init(url text: String) throws {
        if text.hasPrefix("sqlite:") {
            let path = text.dropFirst("sqlite:".count).replacingOccurrences(of: "//", with: "", options: .anchored)
            guard !path.isEmpty else { throw DatabaseLocationError("An SQLite URL needs a path: sqlite://PATH") }
            self = .sqlite(URL(fileURLWithPath: path))
            return
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw DatabaseLocationError("Unsupported database URL; use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else { throw DatabaseLocationError("The PostgreSQL URL needs a host") }
        guard let user = components.user, !user.isEmpty else { throw DatabaseLocationError("The PostgreSQL URL needs a user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw DatabaseLocationError("The PostgreSQL URL needs a database name") }
        var location = PostgresLocation(
            host: host, port: components.port ?? 5432, user: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database
        )
        for item in components.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", let mode?):
                guard let parsed = PostgresLocation.TLSMode(rawValue: mode) else {
                    throw DatabaseLocationError("sslmode must be disable, prefer or require, not '\(mode)'")
                }
                location.tls = parsed
            case ("pool_size", let size?):
                guard let parsed = Int(size), parsed > 0 else { throw DatabaseLocationError("pool_size must be a positive integer") }
                location.poolSize = parsed
            default:
                throw DatabaseLocationError("Unknown database URL option '\(item.name)'")
            }
        }
        self = .postgres(location)
    }

    /// The location with no password in it, for logs.
    public var redacted: String {
        switch self {
        case .sqlite(let url): "sqlite://\(url.path)"
        case .postgres(let location): "postgres://\(location.user)@\(location.host):\(location.port)/\(location.database)"
        }
    }
}

/// A PostgreSQL server and database, and how to connect to it.
public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode = .prefer
    public var poolSize: Int = 20

    public enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    public init(host: String, port: Int, user: String, password: String?, database: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }
}

public struct DatabaseLocationError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
