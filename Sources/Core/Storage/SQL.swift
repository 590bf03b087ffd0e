import Foundation

/// One SQL statement written once for both engines: text with bound values, rendered as `?` for SQLite and `$n` for
/// PostgreSQL, and the few fragments whose spelling differs between them.
///
/// Interpolating a value binds it (`WHERE id = \(id)`); `\(unescaped: text)` splices trusted SQL (column lists);
/// `\(list: values)` binds each of a list, `?, ?, ?`; another `SQL` interpolates with its values.
struct SQL: Sendable, ExpressibleByStringInterpolation {
    enum Fragment: Sendable {
        case text(String)
        case value(SQLValue)
        case dialect(sqlite: String, postgres: String)
    }

    private(set) var fragments: [Fragment] = []

    init(stringLiteral value: String) { fragments = [.text(value)] }

    init(stringInterpolation: StringInterpolation) { fragments = stringInterpolation.fragments }

    init(fragments: [Fragment]) { self.fragments = fragments }

    /// Text that SQLite and PostgreSQL spell differently, e.g. `LIKE` and `ILIKE`.
    static func dialect(sqlite: String, postgres: String) -> SQL { SQL(fragments: [.dialect(sqlite: sqlite, postgres: postgres)]) }

    /// Case-insensitive `LIKE` with `\` escaping (SQLite's `LIKE` folds ASCII case already).
    static let ilike = dialect(sqlite: "LIKE", postgres: "ILIKE")

    /// `column` contains `text` as it is written (its `%`, `_` and `\\` match themselves), ignoring case (SQLite's `LIKE`
    /// folds ASCII letters, PostgreSQL's `ILIKE` every letter).
    static func contains(column: String, _ text: String) -> SQL {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        return "\(unescaped: column) \(ilike) \("%" + escaped + "%") ESCAPE '\\'"
    }

    /// The larger of two values: `MAX(a, b)` in SQLite, `GREATEST(a, b)` in PostgreSQL.
    static let greatest = dialect(sqlite: "MAX", postgres: "GREATEST")

    /// Locks the rows a `SELECT` reads until the transaction ends, on PostgreSQL; SQLite's writer already holds the
    /// database. `of`: only the rows of that table (alias) of a join.
    static func forUpdate(of table: String? = nil) -> SQL {
        dialect(sqlite: "", postgres: table.map { "FOR UPDATE OF \($0)" } ?? "FOR UPDATE")
    }

    static func + (lhs: SQL, rhs: SQL) -> SQL { SQL(fragments: lhs.fragments + rhs.fragments) }

    static func += (lhs: inout SQL, rhs: SQL) { lhs.fragments += rhs.fragments }

    /// `parts` joined by `separator`, e.g. conditions by ` AND `.
    static func joined(_ parts: [SQL], separator: String) -> SQL {
        var fragments: [Fragment] = []
        for (index, part) in parts.enumerated() {
            if index > 0 { fragments.append(.text(separator)) }
            fragments += part.fragments
        }
        return SQL(fragments: fragments)
    }

    struct StringInterpolation: StringInterpolationProtocol {
        var fragments: [Fragment] = []

        init(literalCapacity: Int, interpolationCount: Int) { fragments.reserveCapacity(2 * interpolationCount + 1) }

        mutating func appendLiteral(_ literal: String) { fragments.append(.text(literal)) }

        mutating func appendInterpolation(_ value: (some SQLBindable)?) { fragments.append(.value(value?.sqlValue ?? .null)) }

        mutating func appendInterpolation(unescaped text: String) { fragments.append(.text(text)) }

        mutating func appendInterpolation(_ sql: SQL) { fragments += sql.fragments }

        /// A list bound value by value, `?, ?, ?`; an empty list renders `NULL`, which matches nothing in `IN (…)`.
        mutating func appendInterpolation(list: [some SQLBindable]) {
            guard !list.isEmpty else { return fragments.append(.text("NULL")) }
            for (index, value) in list.enumerated() {
                if index > 0 { fragments.append(.text(", ")) }
                fragments.append(.value(value.sqlValue))
            }
        }
    }

    /// The text for `dialect`, with `placeholder(n)` standing for the n-th value (from 1), and the values in order.
    func render(for dialect: SQLDialect) -> (text: String, values: [SQLValue]) {
        var text = ""
        var values: [SQLValue] = []
        for fragment in fragments {
            switch fragment {
            case .text(let part): text += part
            case .dialect(let sqlite, let postgres): text += dialect == .sqlite ? sqlite : postgres
            case .value(let value):
                values.append(value)
                text += dialect == .sqlite ? "?" : "$\(values.count)"
            }
        }
        return (text, values)
    }
}

/// The engine a statement is rendered for.
enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

/// A value bound to a statement.
enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int)
    case double(Double)
    case text(String)
    case blob(Data)
    case bool(Bool)
    /// PostgreSQL only: `TEXT[]` and `BIGINT[]` arguments of its functions.
    case textArray([String])
    case integerArray([Int])
}

/// What can be bound into `SQL`.
protocol SQLBindable: Sendable {
    var sqlValue: SQLValue { get }
}

extension Int: SQLBindable { var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLBindable { var sqlValue: SQLValue { .double(self) } }
extension String: SQLBindable { var sqlValue: SQLValue { .text(self) } }
extension Substring: SQLBindable { var sqlValue: SQLValue { .text(String(self)) } }
extension Bool: SQLBindable { var sqlValue: SQLValue { .bool(self) } }
extension Data: SQLBindable { var sqlValue: SQLValue { .blob(self) } }
extension Date: SQLBindable { var sqlValue: SQLValue { .double(timeIntervalSince1970) } }
extension Identifier: SQLBindable { var sqlValue: SQLValue { .text(description) } }
extension SQLValue: SQLBindable { var sqlValue: SQLValue { self } }
