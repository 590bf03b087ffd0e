import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import SQLiteNIO

/// The query the storage benchmark times on every path: a workspace's plan, one join and one bound value.
public enum ProbeQuery {
    public static let sqlite = "SELECT w.plan_overrides, p.name, p.rpm, p.rph, p.rpd FROM workspace w JOIN plan p ON p.name = w.plan WHERE w.id = ?"
    public static let postgres =
        "SELECT w.plan_overrides, p.name, p.rpm, p.rph, p.rpd FROM workspace w JOIN plan p ON p.name = w.plan WHERE w.id = $1"
}

/// sql-kit over sqlite-nio on one connection: a read transaction with the query, as Relay's stores run it.
public final class SQLKitSQLiteProbe: Sendable {
    let connection: SQLiteConnection

    public init(path: String) async throws {
        connection = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "probe"))
    }

    public func plan(of workspace: String) async throws -> Int {
        let database = connection.sql()
        try await database.raw("BEGIN DEFERRED").run()
        let row = try await database.raw(
            "SELECT w.plan_overrides, p.name, p.rpm, p.rph, p.rpd FROM workspace w JOIN plan p ON p.name = w.plan WHERE w.id = \(bind: workspace)"
        ).first()
        try await database.raw("COMMIT").run()
        return try row?.decode(column: "rpm", as: Int.self) ?? 0
    }

    public func close() async throws { try await connection.close() }
}

/// sql-kit over a postgres-nio connection: a transaction naming its workspace (row-level security), then the query.
public enum SQLKitPostgresProbe {
    public static func plan(of workspace: String, on connection: PostgresConnection) async throws -> Int {
        let database = connection.sql()
        try await database.raw("BEGIN").run()
        try await database.raw("SELECT set_config('relay.workspace', \(bind: workspace), true)").run()
        let row = try await database.raw(
            "SELECT w.plan_overrides, p.name, p.rpm, p.rph, p.rpd FROM workspace w JOIN plan p ON p.name = w.plan WHERE w.id = \(bind: workspace)"
        ).first()
        try await database.raw("COMMIT").run()
        return try row?.decode(column: "rpm", as: Int.self) ?? 0
    }
}
