import Foundation
import Logging
import PostgresNIO

/// The one door to the database for every store, whichever engine is behind it: transactions that name what they may
/// see, holding a connection on which statements written once (`SQL`) run.
struct SQLDatabase: Sendable {
    enum Engine: Sendable {
        case sqlite(SQLitePool)
        case postgres(PostgresDatabase)
    }

    /// What a transaction may see of the tenant-owned tables. PostgreSQL's row-level security enforces it, a second wall
    /// behind each query's own workspace filter; SQLite relies on the filter alone.
    enum Visibility: Sendable {
        /// One workspace's rows: every method that takes a `WorkspaceID`.
        case workspace(WorkspaceID)
        /// Every workspace's rows: the few lookups that find the workspace (a key by its hash, an account's memberships).
        case allWorkspaces
        /// No tenant-owned rows at all.
        case none
    }

    let engine: Engine

    var dialect: SQLDialect {
        switch engine {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// Runs `body` in a transaction that only reads: on SQLite one of the readers, which do not wait for writes.
    func read<T: Sendable>(
        _ visibility: Visibility, _ body: @escaping @Sendable (SQLTransaction) async throws -> T
    ) async throws -> T {
        switch engine {
        case .sqlite(let pool): try await pool.read { try await body(SQLTransaction(.sqlite($0))) }
        case .postgres(let database): try await database.transaction(visibility, body)
        }
    }

    /// Runs `body` in a transaction that may write; a throw rolls it back. On SQLite writes take turns.
    func write<T: Sendable>(
        _ visibility: Visibility, _ body: @escaping @Sendable (SQLTransaction) async throws -> T
    ) async throws -> T {
        switch engine {
        case .sqlite(let pool): try await pool.write { try await body(SQLTransaction(.sqlite($0))) }
        case .postgres(let database): try await database.transaction(visibility, body)
        }
    }
}

extension SQLDatabase {
    /// Runs `body` on a connection without a transaction of its own on PostgreSQL, where each statement commits by itself
    /// (for one statement that is atomic anyway, two round trips fewer); a write transaction on SQLite. Only for tables no
    /// workspace owns. `readOnly`: on SQLite, a reader's transaction.
    func autocommit<T: Sendable>(
        readOnly: Bool = false, _ body: @escaping @Sendable (SQLTransaction) async throws -> T
    ) async throws -> T {
        switch engine {
        case .sqlite(let pool) where readOnly: try await pool.read { try await body(SQLTransaction(.sqlite($0))) }
        case .sqlite(let pool): try await pool.write { try await body(SQLTransaction(.sqlite($0))) }
        case .postgres(let database):
            try await database.leasing { connection in try await body(SQLTransaction(.postgres(connection, database.logger))) }
        }
    }
}

/// A transaction's connection and its verbs.
struct SQLTransaction: Sendable {
    enum Connection: @unchecked Sendable {
        case sqlite(SQLiteConnection)
        case postgres(PostgresConnection, Logger)
    }

    let connection: Connection

    init(_ connection: Connection) { self.connection = connection }

    var dialect: SQLDialect {
        switch connection {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// Every row the statement returns.
    func rows(_ sql: SQL) async throws -> [StoredRow] {
        switch connection {
        case .sqlite(let connection): return try connection.rows(sql)
        case .postgres(let connection, let logger):
            // Read to the end: an error the server raises while executing (a lock timeout, say) reaches only whoever
            // reads the rows, so no statement fails unseen.
            let rows = try await connection.query(PostgresQuery(sql), logger: logger).collect()
            guard let first = rows.first else { return [] }
            let columns = StoredRow.Columns(first.map(\.columnName))
            return try rows.map { row in StoredRow(columns: columns, values: try row.map(SQLValue.init(cell:))) }
        }
    }

    /// Hands each row the statement returns to `body` as it is read, without keeping them (a dataset's vectors).
    func forEachRow(_ sql: SQL, _ body: (StoredRow) throws -> Void) async throws {
        switch connection {
        case .sqlite(let connection): try connection.forEachRow(sql, body)
        case .postgres(let connection, let logger):
            var columns: StoredRow.Columns?
            for try await row in try await connection.query(PostgresQuery(sql), logger: logger) {
                let names = columns ?? StoredRow.Columns(row.map(\.columnName))
                columns = names
                try body(StoredRow(columns: names, values: try row.map(SQLValue.init(cell:))))
            }
        }
    }

    /// The first row the statement returns, if any.
    func row(_ sql: SQL) async throws -> StoredRow? { try await rows(sql).first }

    /// Runs a statement for its effect.
    func execute(_ sql: SQL) async throws { _ = try await rows(sql) }

    /// Runs `head` + `VALUES (…), (…)` + `tail` for every row, as few statements as SQLite's limit on values bound to
    /// one statement allows (PostgreSQL's is larger): one round trip per chunk rather than per row.
    func insert(_ head: SQL, values rows: [SQL], _ tail: SQL = "") async throws {
        guard let first = rows.first else { return }
        let valuesPerRow = max(1, first.render(for: .sqlite).values.count)
        let rowsPerStatement = max(1, Self.maximumValuesPerStatement / valuesPerRow)
        for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
            let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
            try await execute(head + " VALUES " + SQL.joined(Array(chunk), separator: ", ") + tail)
        }
    }

    /// SQLite's limit on values bound to one statement (32,766), less a margin.
    static let maximumValuesPerStatement = 30_000

    /// How many rows a statement ending in `RETURNING …` touched (on both engines: the rows it returns).
    func changes(_ sql: SQL) async throws -> Int { try await rows(sql).count }

    /// The number a `SELECT COUNT(*) AS n …`, `SUM`, or `MAX` statement answers (0 when none).
    func count(_ sql: SQL) async throws -> Int { try await row(sql)?.optionalInt("n") ?? 0 }

    /// Holds `key` until the transaction ends, so that transactions naming the same key take turns: PostgreSQL's
    /// advisory lock on its hash. SQLite's writer already holds the whole database.
    func lock(_ key: String) async throws {
        guard dialect == .postgres else { return }
        try await execute("SELECT pg_advisory_xact_lock(hashtext(\(key)))")
    }

    /// Holds the workspace's row until the transaction ends, so that checks of its plan limits and the writes they allow
    /// happen one transaction at a time. SQLite's writer already holds the whole database.
    func lockWorkspace(_ workspace: WorkspaceID) async throws {
        guard dialect == .postgres else { return }
        try await execute("SELECT 1 FROM workspace WHERE id = \(workspace) FOR UPDATE")
    }
}

extension PostgresQuery {
    init(_ sql: SQL) {
        let (text, values) = sql.render(for: .postgres)
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .double(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .bool(let flag): bindings.append(flag)
            case .blob(let data): bindings.append(ByteBuffer(bytes: data))
            case .textArray(let texts): bindings.append(texts)
            case .integerArray(let numbers): bindings.append(numbers)
            }
        }
        self.init(unsafeSQL: text, binds: bindings)
    }
}

extension SQLValue {
    /// A PostgreSQL value as the stores read it: integers of any width, doubles, text, bytes, booleans.
    init(cell: PostgresCell) throws {
        guard cell.bytes != nil else {
            self = .null
            return
        }
        switch cell.dataType {
        case .bool: self = .bool(try cell.decode(Bool.self))
        case .int2, .int4, .int8: self = .integer(try cell.decode(Int.self))
        case .float4, .float8: self = .double(try cell.decode(Double.self))
        case .numeric: self = .double(NSDecimalNumber(decimal: try cell.decode(Decimal.self)).doubleValue)
        case .bytea: self = .blob(Data(try cell.decode(ByteBuffer.self).readableBytesView))
        case .int2Array, .int4Array, .int8Array: self = .integerArray(try cell.decode([Int].self))
        case .textArray, .varcharArray: self = .textArray(try cell.decode([String].self))
        default: self = .text(try cell.decode(String.self))
        }
    }
}
