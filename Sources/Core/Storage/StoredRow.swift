import Foundation

/// A row read back from either engine, by column name. The mappings below turn rows into Core's values once for both.
///
/// Queries that join select a table's columns under a prefix (`app__name`, …) so that two tables' columns never collide.
struct StoredRow: Sendable {
    /// The column names of a result, shared by its rows.
    final class Columns: Sendable {
        let positions: [String: Int]

        init(_ names: [String]) {
            var positions: [String: Int] = [:]
            for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
            self.positions = positions
        }
    }

    let columns: Columns
    let values: [SQLValue]

    /// Whether the query selected `column` (for values only some queries read).
    func has(_ column: String) -> Bool { columns.positions[column] != nil }

    func value(_ column: String) throws -> SQLValue {
        guard let position = columns.positions[column] else { throw StoredValueError(column: column, value: "no such column") }
        return values[position]
    }

    func optionalString(_ column: String) throws -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let text): return text
        case .integer(let number): return String(number)
        case .double(let number): return String(number)
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        case let other: throw StoredValueError(column: column, value: "\(other)")
        }
    }

    func string(_ column: String) throws -> String {
        guard let text = try optionalString(column) else { throw StoredValueError(column: column, value: "NULL") }
        return text
    }

    func optionalDouble(_ column: String) throws -> Double? {
        switch try value(column) {
        case .null: return nil
        case .double(let number): return number
        case .integer(let number): return Double(number)
        case .text(let text): if let number = Double(text) { return number }
        default: break
        }
        throw StoredValueError(column: column, value: "\(try value(column))")
    }

    func double(_ column: String) throws -> Double {
        guard let number = try optionalDouble(column) else { throw StoredValueError(column: column, value: "NULL") }
        return number
    }

    func optionalInt(_ column: String) throws -> Int? {
        switch try value(column) {
        case .null: return nil
        case .integer(let number): return number
        case .double(let number): return Int(exactly: number.rounded(.towardZero)) ?? 0
        case .bool(let flag): return flag ? 1 : 0
        case .text(let text): if let number = Int(text) { return number }
        default: break
        }
        throw StoredValueError(column: column, value: "\(try value(column))")
    }

    func int(_ column: String) throws -> Int {
        guard let number = try optionalInt(column) else { throw StoredValueError(column: column, value: "NULL") }
        return number
    }

    func bool(_ column: String) throws -> Bool {
        switch try value(column) {
        case .bool(let flag): return flag
        case .integer(let number): return number != 0
        case let other: throw StoredValueError(column: column, value: "\(other)")
        }
    }

    func optionalData(_ column: String) throws -> Data? {
        switch try value(column) {
        case .null: return nil
        case .blob(let data): return data
        case .text(let text): return Data(text.utf8)
        case let other: throw StoredValueError(column: column, value: "\(other)")
        }
    }

    /// A PostgreSQL `BIGINT[]`.
    func integers(_ column: String) throws -> [Int] {
        guard case .integerArray(let numbers) = try value(column) else { throw StoredValueError(column: column, value: "not an array") }
        return numbers
    }
}

extension StoredRow {
    func date(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: try double(column))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try optionalDouble(column).map(Date.init(timeIntervalSince1970:))
    }

    func identifier<Entity>(_ column: String) throws -> Identifier<Entity> {
        let text = try string(column)
        guard let identifier = Identifier<Entity>(text) else { throw StoredValueError(column: column, value: text) }
        return identifier
    }

    func optionalIdentifier<Entity>(_ column: String) throws -> Identifier<Entity>? {
        try optionalString(column).flatMap(Identifier.init)
    }
}

/// A stored value that does not read as what its column holds: the database was written by something else.
struct StoredValueError: Error, CustomStringConvertible {
    let column: String
    let value: String

    var description: String { "column \(column) holds '\(value)', which is not of its type" }
}
