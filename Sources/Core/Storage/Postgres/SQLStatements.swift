/// Splits a migration's SQL into its statements, one per query: PostgreSQL's extended protocol takes one at a time.
///
/// A `;` ends a statement unless it stands inside quotes ('…', "…") or a dollar-quoted body ($$…$$, $tag$…$tag$).
import Foundation

enum SQLStatements {
    static func split(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var closing: String?  // what ends the quoted text we are in, if any
        var index = sql.startIndex
        while index < sql.endIndex {
            let character = sql[index]
            if let end = closing {
                if sql[index...].hasPrefix(end) {
                    current += end
                    index = sql.index(index, offsetBy: end.count)
                    closing = nil
                    continue
                }
            } else if character == "'" || character == "\"" {
                closing = String(character)
            } else if character == "$", let tag = dollarTag(in: sql, at: index) {
                current += tag
                index = sql.index(index, offsetBy: tag.count)
                closing = tag
                continue
            } else if character == ";" {
                append(current, to: &statements)
                current = ""
                index = sql.index(after: index)
                continue
            }
            current.append(character)
            index = sql.index(after: index)
        }
        append(current, to: &statements)
        return statements
    }

    /// `$$` or `$name$` starting at `index`, if one does.
    private static func dollarTag(in sql: String, at index: String.Index) -> String? {
        var end = sql.index(after: index)
        while end < sql.endIndex, sql[end].isLetter || sql[end].isNumber || sql[end] == "_" { end = sql.index(after: end) }
        guard end < sql.endIndex, sql[end] == "$" else { return nil }
        return String(sql[index...end])
    }

    private static func append(_ statement: String, to statements: inout [String]) {
        let trimmed = statement.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { statements.append(trimmed) }
    }
}
