import Crypto
public import Foundation
import GRDB
import PostgresNIO

/// One table copied from SQLite to PostgreSQL: its rows and the checksum both sides agreed on.
public struct TableCopy: Sendable, Equatable {
    public let table: String
    public let rows: Int
    /// SHA-256 over the table's rows in a canonical form, sorted: equal on both sides, or the copy fails.
    public let checksum: String
}

/// The copy did not verify, or could not start; says what and where.
public struct DatabaseCopyError: Error, CustomStringConvertible {
    public let description: String
}

extension RelayDatabase {
    /// Copies every table of the SQLite database at `file` into this PostgreSQL database, in one transaction, then
    /// reads both back and compares each table's row count and checksum. Brings the SQLite file's schema up to date
    /// first. Refuses a target that already holds accounts. Call inside `withReady`.
    public func copy(fromSQLite file: URL) async throws -> [TableCopy] {
        guard let postgres else { throw DatabaseCopyError(description: "The target must be a PostgreSQL database") }
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw DatabaseCopyError(description: "No Relay database at \(file.path)")
        }
        let source = try DatabasePool(path: file.path)
        try Migrations.migrator.migrate(source)
        let tables = try await source.read { db in try CopiedTable.all(in: db) }

        let copied = try await postgres.transaction(.allWorkspaces) { transaction in
            let existing = try await transaction.count("SELECT COUNT(*) AS n FROM account")
            guard existing == 0 else {
                throw DatabaseCopyError(description: "The target database already holds \(existing) accounts; copy into an empty one")
            }
            // What the target's migrations seeded (the plans) gives way to what the source holds.
            for table in tables.reversed() {
                try await transaction.execute("DELETE FROM \(unescaped: table.name)")
            }
            var copied: [TableCopy] = []
            for table in tables {
                let rows = try await source.read { db in try table.values(in: db) }
                try await transaction.insert(
                    "INSERT INTO \(unescaped: table.name) (\(unescaped: table.columnList))", values: rows.map(CopiedTable.tuple)
                )
                let stored = try await table.values(from: transaction)
                let (sourceSum, targetSum) = (CopiedTable.checksum(rows), CopiedTable.checksum(stored))
                guard rows.count == stored.count, sourceSum == targetSum else {
                    throw DatabaseCopyError(
                        description: "\(table.name): \(rows.count) rows (\(sourceSum)) in SQLite but \(stored.count) (\(targetSum)) in PostgreSQL"
                    )
                }
                copied.append(TableCopy(table: table.name, rows: rows.count, checksum: sourceSum))
            }
            return copied
        }
        return copied
    }
}

/// A table of the SQLite schema, its columns with their kinds, in an order that respects foreign keys.
private struct CopiedTable: Sendable {
    enum Kind: Sendable {
        case text, real, integer, boolean, bytes
    }

    enum Value: Sendable {
        case null, text(String), real(Double), integer(Int), boolean(Bool), bytes(Data)

        /// The canonical form checksums are computed over; the same value reads the same from either engine.
        var canonical: String {
            switch self {
            case .null: "∅"
            case .text(let text): "t" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\u{1F}", with: "\\u")
            case .real(let number): "r\(number)"
            case .integer(let number): "i\(number)"
            case .boolean(let flag): flag ? "b1" : "b0"
            case .bytes(let data): "x" + data.base64EncodedString()
            }
        }
    }

    let name: String
    let columns: [(name: String, kind: Kind)]

    static func all(in db: Database) throws -> [CopiedTable] {
        let names = try String.fetchAll(
            db,
            sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                AND name NOT LIKE 'segment_fts%'
                """
        )
        var tables: [String: CopiedTable] = [:]
        var references: [String: Set<String>] = [:]
        for name in names {
            let columns = try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", arguments: [name]).map {
                (name: $0["name"] as String, kind: try kind(of: $0["type"] as String, column: "\(name).\($0["name"] as String)"))
            }
            tables[name] = CopiedTable(name: name, columns: columns)
            references[name] = Set(try String.fetchAll(db, sql: "SELECT \"table\" FROM pragma_foreign_key_list(?)", arguments: [name]))
        }
        // Referenced tables first.
        var ordered: [CopiedTable] = []
        var placed: Set<String> = []
        while ordered.count < names.count {
            let ready = names.sorted().first { !placed.contains($0) && references[$0, default: []].subtracting([$0]).isSubset(of: placed) }
            guard let next = ready else { throw DatabaseCopyError(description: "The SQLite schema's foreign keys form a cycle") }
            ordered.append(tables[next]!)
            placed.insert(next)
        }
        return ordered
    }

    private static func kind(of declared: String, column: String) throws -> Kind {
        switch declared.uppercased() {
        case "TEXT": return .text
        case "DOUBLE PRECISION", "REAL", "DOUBLE": return .real
        case "INTEGER", "BIGINT": return .integer
        case "BOOLEAN": return .boolean
        case "BYTEA", "BLOB": return .bytes
        default: throw DatabaseCopyError(description: "\(column) has a type (\(declared)) the copy does not know")
        }
    }

    var columnList: String { columns.map(\.name).joined(separator: ", ") }

    func values(in db: Database) throws -> [[Value]] {
        try Row.fetchAll(db, sql: "SELECT \(columnList) FROM \(name)").map { row in
            columns.map { column in
                switch column.kind {
                case .text: (row[column.name] as String?).map(Value.text) ?? .null
                case .real: (row[column.name] as Double?).map(Value.real) ?? .null
                case .integer: (row[column.name] as Int?).map(Value.integer) ?? .null
                case .boolean: (row[column.name] as Bool?).map(Value.boolean) ?? .null
                case .bytes: (row[column.name] as Data?).map(Value.bytes) ?? .null
                }
            }
        }
    }

    func values(from transaction: SQLTransaction) async throws -> [[Value]] {
        try await transaction.rows("SELECT \(unescaped: columnList) FROM \(unescaped: name)").map { row in
            try columns.map { column in
                switch column.kind {
                case .text: return try row.optionalString(column.name).map(Value.text) ?? .null
                case .real: return try row.optionalDouble(column.name).map(Value.real) ?? .null
                case .integer: return try row.optionalInt(column.name).map(Value.integer) ?? .null
                case .boolean: return try row.value(column.name) == .null ? .null : .boolean(try row.bool(column.name))
                case .bytes: return try row.optionalData(column.name).map(Value.bytes) ?? .null
                }
            }
        }
    }

    /// One row as the values of an `INSERT`.
    static func tuple(_ row: [Value]) -> SQL {
        let values = row.map { value -> SQLValue in
            switch value {
            case .null: .null
            case .text(let text): .text(text)
            case .real(let number): .double(number)
            case .integer(let number): .integer(number)
            case .boolean(let flag): .bool(flag)
            case .bytes(let data): .blob(data)
            }
        }
        return "(\(list: values))"
    }

    static func checksum(_ rows: [[Value]]) -> String {
        var hash = SHA256()
        for line in rows.map({ $0.map(\.canonical).joined(separator: "\u{1F}") }).sorted() {
            hash.update(data: Data((line + "\n").utf8))
        }
        return hash.finalize().hex
    }
}
