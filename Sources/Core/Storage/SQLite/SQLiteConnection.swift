import Foundation
import GRDBSQLite

/// One connection to the SQLite file with its prepared statements. Used by one task at a time: `SQLitePool` lends it.
///
/// Statements run on the calling thread: SQLite answers a point lookup in about a microsecond, far less than a hop to
/// another thread would cost. Only waiting for another process's write lock leaves the cooperative pool (`SQLitePool`).
final class SQLiteConnection: @unchecked Sendable {
    let handle: OpaquePointer
    let busyTimeout: TimeInterval
    /// Prepared statements by their text, each with its result's column names once a row was read.
    private var statements: [String: Prepared] = [:]

    private final class Prepared {
        let statement: OpaquePointer
        var columns: StoredRow.Columns?

        init(_ statement: OpaquePointer) { self.statement = statement }
    }
    /// Statements of lists of other lengths are prepared anew; past this many the cache starts over.
    private static let cachedStatementLimit = 256

    init(path: String, readOnly: Bool, busyTimeout: TimeInterval) throws {
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let opened = sqlite3_open_v2(path, &handle, flags, nil)
        guard opened == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: opened, message: message, statement: "open \(path)")
        }
        self.handle = handle
        self.busyTimeout = busyTimeout
        sqlite3_extended_result_codes(handle, 1)
        setBusyTimeout(busyTimeout)
        try execute("PRAGMA foreign_keys = ON")
        // What GRDB set on its WAL connections, and SQLite's advice for WAL: a commit is not synced to disk until the
        // next checkpoint, so a power loss may lose the last commits but never corrupts the file.
        if !readOnly { try execute("PRAGMA synchronous = NORMAL") }
    }

    deinit {
        for prepared in statements.values { sqlite3_finalize(prepared.statement) }
        sqlite3_close_v2(handle)
    }

    func setBusyTimeout(_ seconds: TimeInterval) { sqlite3_busy_timeout(handle, Int32(seconds * 1000)) }

    /// Runs a statement without values (`BEGIN`, a pragma), prepared once.
    func execute(_ text: String) throws {
        let statement = try prepared(text).statement
        defer { sqlite3_reset(statement) }
        var result = sqlite3_step(statement)
        while result == SQLITE_ROW { result = sqlite3_step(statement) }
        guard result == SQLITE_DONE else { throw error(result, text) }
    }

    /// Runs `sql` and reads every row it returns.
    func rows(_ sql: SQL) throws -> [StoredRow] {
        var rows: [StoredRow] = []
        try forEachRow(sql) { rows.append($0) }
        return rows
    }

    /// Runs `sql` and hands each row to `body` as it is read, none kept.
    func forEachRow(_ sql: SQL, _ body: (StoredRow) throws -> Void) throws {
        let (text, values) = sql.render(for: .sqlite)
        let prepared = try prepared(text)
        let statement = prepared.statement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, value) in values.enumerated() { try bind(value, at: Int32(index + 1), of: statement, text) }
        while true {
            let result = sqlite3_step(statement)
            if result == SQLITE_DONE { return }
            guard result == SQLITE_ROW else { throw error(result, text) }
            let count = sqlite3_column_count(statement)
            let columns = prepared.columns ?? StoredRow.Columns((0..<count).map { String(cString: sqlite3_column_name(statement, $0)) })
            prepared.columns = columns
            try body(StoredRow(columns: columns, values: (0..<count).map { column(at: $0, of: statement) }))
        }
    }

    private func prepared(_ text: String) throws -> Prepared {
        if let prepared = statements[text] { return prepared }
        var statement: OpaquePointer?
        let result = sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard result == SQLITE_OK, let statement else { throw error(result, text) }
        if statements.count >= Self.cachedStatementLimit {
            for cached in statements.values { sqlite3_finalize(cached.statement) }
            statements.removeAll()
        }
        let prepared = Prepared(statement)
        statements[text] = prepared
        return prepared
    }

    private func bind(_ value: SQLValue, at index: Int32, of statement: OpaquePointer, _ text: String) throws {
        let result: Int32
        switch value {
        case .null: result = sqlite3_bind_null(statement, index)
        case .integer(let number): result = sqlite3_bind_int64(statement, index, Int64(number))
        case .double(let number): result = sqlite3_bind_double(statement, index, number)
        case .bool(let flag): result = sqlite3_bind_int64(statement, index, flag ? 1 : 0)
        case .text(let string): result = sqlite3_bind_text(statement, index, string, -1, sqliteTransient)
        case .blob(let data):
            result = data.withUnsafeBytes { bytes in
                sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
            }
        case .textArray, .integerArray:
            throw SQLiteError(code: SQLITE_MISUSE, message: "arrays are PostgreSQL's; bind a list instead", statement: text)
        }
        guard result == SQLITE_OK else { throw error(result, text) }
    }

    private func column(at index: Int32, of statement: OpaquePointer) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(Int(sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT: return .double(sqlite3_column_double(statement, index))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, index)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let bytes = sqlite3_column_blob(statement, index) else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default: return .null
        }
    }

    private func error(_ code: Int32, _ statement: String) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), statement: statement)
    }
}

/// SQLite's `SQLITE_TRANSIENT`: it copies the bound bytes before the call returns.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A failure SQLite reported, with its extended result code.
struct SQLiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    let statement: String

    var primaryCode: Int32 { code & 0xff }
    var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY: macros Swift does not import.
    var isUniqueViolation: Bool { code == SQLITE_CONSTRAINT | (8 << 8) || code == SQLITE_CONSTRAINT | (6 << 8) }

    var description: String { "SQLite error \(code): \(message) — \(statement)" }
}
