public import Foundation
public import Logging
import PostgresNIO
public import ServiceLifecycle

/// An open database, SQLite or PostgreSQL, with its stores.
///
/// PostgreSQL's connection pool must run while the stores are used: `service` goes to the application's services and
/// `migrate()` runs before serving; `withReady(_:)` does both for a command or a test.
public struct RelayDatabase: Sendable {
    public let location: DatabaseLocation
    public let stores: RelayStores
    let postgres: PostgresDatabase?
    private let logger: Logger

    /// Opens the database. SQLite is migrated at once; PostgreSQL only connects once `service` runs.
    ///
    /// `busyTimeout`: how long a write waits for another's lock (SQLite's file lock, PostgreSQL's row and table locks).
    /// `metrics`: where waits for a pooled connection are timed.
    public static func open(
        _ location: DatabaseLocation, busyTimeout: TimeInterval = 5, metrics: DatabaseMetrics = .disabled, logger: Logger
    ) throws -> RelayDatabase {
        switch location {
        case .sqlite(let file):
            return RelayDatabase(
                location: location, stores: try .openSQLite(at: file, busyTimeout: busyTimeout, metrics: metrics), postgres: nil,
                logger: logger
            )
        case .postgres(let server):
            let database = PostgresDatabase(server, lockTimeout: busyTimeout, poolWaits: metrics.postgres, logger: logger)
            return RelayDatabase(
                location: location, stores: RelayStores(SQLDatabase(engine: .postgres(database))), postgres: database, logger: logger
            )
        }
    }

    /// What must run while the stores are used: PostgreSQL's connection pool; `nil` for SQLite.
    public var service: (any Service)? { postgres.map { PostgresPoolService(client: $0.client) } }

    /// Brings PostgreSQL's schema up to date, waiting for any other instance migrating the same database; SQLite was
    /// migrated when it opened. Warns when row-level security cannot apply to the role the server connects as.
    public func migrate() async throws {
        guard let postgres else { return }
        do {
            try await PostgresSchema.migrate(postgres)
        } catch let error as PostgresUnavailable {
            throw DatabaseUnreachable(location: location.redacted, underlying: error)
        }
        if try await PostgresSchema.roleBypassesRowSecurity(postgres) {
            logger.warning(
                "The database role bypasses row-level security (superuser or BYPASSRLS); connect as an ordinary role so it applies"
            )
        }
    }

    /// Runs `body` with the database ready: the pool running beside it and the schema migrated.
    ///
    /// - Important: At most once per `RelayDatabase` (PostgreSQL's pool runs once); open another for another scope.
    public func withReady<T: Sendable>(_ body: @Sendable (RelayStores) async throws -> T) async throws -> T {
        guard let client = postgres?.client else { return try await body(stores) }
        // Not a child task: once cancelled, the pool's `run()` has been seen never to return (postgres-nio 1.33.2, rarely,
        // with several pools stopping at once), and a command or test must not wait on it. Cancelled, it closes its
        // connections; the process ending closes them in any case.
        let pool = Task { await client.run() }
        defer { pool.cancel() }
        try await migrate()
        return try await body(stores)
    }
}

/// The database could not be reached at start-up.
public struct DatabaseUnreachable: Error, CustomStringConvertible {
    public let location: String
    let underlying: any Error

    public var description: String {
        "Could not reach the database at \(location) within \(PostgresSchema.startupPatience); is it running and reachable?"
    }
}
