import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The PostgreSQL side of storage: one connection pool shared by every store, and transactions that say which
/// workspace they may see, so row-level security is a second wall behind each query's own workspace filter.
struct PostgresDatabase: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// What a transaction may see of the tenant-owned tables.
    enum Visibility {
        /// One workspace's rows: every method that takes a `WorkspaceID`.
        case workspace(WorkspaceID)
        /// Every workspace's rows: the few lookups that find the workspace (a key by its hash, an account's memberships).
        case allWorkspaces
        /// No tenant-owned rows at all.
        case none
    }

    /// `lockTimeout`: how long a statement waits for another transaction's lock before failing (503 to a client).
    init(_ location: PostgresLocation, lockTimeout: TimeInterval, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: Self.tls(location.tls)
        )
        configuration.options.maximumConnections = location.poolSize
        configuration.options.connectTimeout = .seconds(3)
        // A lock or a runaway query fails the request instead of holding it: the client gets a 503 and may retry.
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "10s"), ("lock_timeout", "\(max(1, Int(lockTimeout * 1000)))ms"), ("idle_in_transaction_session_timeout", "60s"),
            ("application_name", "relay"),
        ]
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    private static func tls(_ mode: PostgresLocation.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    /// Runs `body` in one transaction that sees what `visibility` allows; a throw rolls it back.
    func transaction<T: Sendable>(
        _ visibility: Visibility, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await Self.failingFast {
            try await unwrappingTransactionError {
                try await client.withTransaction(logger: logger) { connection in
                    switch visibility {
                    case .workspace(let workspace):
                        try await connection.query("SELECT set_config('relay.workspace', \(workspace.description), true)", logger: logger)
                    case .allWorkspaces:
                        try await connection.query("SELECT set_config('relay.workspace', '*', true)", logger: logger)
                    case .none:
                        break
                    }
                    return try await body(connection)
                }
            }
        }
    }

    /// postgres-nio wraps whatever ends a transaction; callers want that error itself (a `RelayError` the body threw
    /// for the client, or the server's error to classify).
    private func unwrappingTransactionError<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    /// One statement outside any transaction, on tables no workspace owns.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await Self.failingFast {
            try await client.withConnection { connection in try await connection.rows(query, logger: logger) }
        }
    }

    /// Waits for a connection at most `connectTimeout`-ish: with the server gone, the pool would otherwise keep a
    /// request waiting for as long as it keeps trying to reconnect.
    static func failingFast<T: Sendable>(_ work: @Sendable @escaping () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: .seconds(15))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw PostgresUnavailable() }
            return value
        }
    }
}

/// The database did not answer in time.
struct PostgresUnavailable: Error, CustomStringConvertible {
    var description: String { "PostgreSQL did not answer in time" }
}

extension PostgresConnection {
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// Runs a statement that ends in `RETURNING …` and counts the rows it touched.
    func changes(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        try await rows(query, logger: logger).count
    }
}

extension PostgresRandomAccessRow: StoredRow {
    func string(_ column: String) throws -> String { try self[column].decode(String.self) }
    func optionalString(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    func double(_ column: String) throws -> Double { try self[column].decode(Double.self) }
    func optionalDouble(_ column: String) throws -> Double? { try self[column].decode(Double?.self) }
    func int(_ column: String) throws -> Int { try self[column].decode(Int.self) }
    func bool(_ column: String) throws -> Bool { try self[column].decode(Bool.self) }
}

extension PSQLError {
    /// SQLSTATE of a server error, e.g. `23505`.
    var sqlState: String? { serverInfo?[.sqlState] }

    var isUniqueViolation: Bool { sqlState == "23505" }
}
