import Foundation
import Testing

@testable import Core

@Suite("SQL written once")
struct SQLTests {
    @Test("values are bound, as ? for SQLite and $n for PostgreSQL, with each dialect's spelling")
    func rendersForEachEngine() {
        let name: String? = nil
        let statement: SQL = """
            SELECT * FROM app WHERE workspace_id = \(7) AND mode IN (\(list: ["chat", "workflow"])) \
            AND name \(SQL.ilike) \("%bot%") AND created_by IS \(name) \(SQL.forUpdate())
            """
        let sqlite = statement.render(for: .sqlite)
        #expect(sqlite.text == "SELECT * FROM app WHERE workspace_id = ? AND mode IN (?, ?) AND name LIKE ? AND created_by IS ? ")
        let postgres = statement.render(for: .postgres)
        #expect(
            postgres.text == "SELECT * FROM app WHERE workspace_id = $1 AND mode IN ($2, $3) AND name ILIKE $4 AND created_by IS $5 FOR UPDATE"
        )
        #expect(sqlite.values == [.integer(7), .text("chat"), .text("workflow"), .text("%bot%"), .null])
        #expect(postgres.values == sqlite.values)
    }

    @Test("text that looks like SQL is bound, never spliced; an empty list matches nothing")
    func bindsHostileText() {
        let statement: SQL = "SELECT 1 WHERE name = \("x'; DROP TABLE app; --") AND id IN (\(list: [String]()))"
        let rendered = statement.render(for: .sqlite)
        #expect(rendered.text == "SELECT 1 WHERE name = ? AND id IN (NULL)")
        #expect(rendered.values == [.text("x'; DROP TABLE app; --")])
    }

    @Test("contains matches the text as written: its %, _ and backslash match only themselves, in any case")
    func containsEscapesPatternCharacters() async throws {
        try await withStores { stores, _ in
            let names = try await stores.database.write(.none) { transaction in
                try await transaction.execute("CREATE TEMPORARY TABLE probe (name TEXT)")
                for name in ["100% Bot", "100 Bots", "a_b", "axb", "back\\slash", "BACKslash"] {
                    try await transaction.execute("INSERT INTO probe VALUES (\(name))")
                }
                var found: [[String]] = []
                for text in ["0%", "a_b", "\\s", "bot"] {
                    let rows = try await transaction.rows("SELECT name FROM probe WHERE \(SQL.contains(column: "name", text))")
                    // Sorted here: the engines' collations order "100 Bots" and "100% Bot" differently.
                    found.append(try rows.map { try $0.string("name") }.sorted())
                }
                return found
            }
            #expect(names == [["100% Bot"], ["a_b"], ["back\\slash"], ["100 Bots", "100% Bot"]])
        }
    }

    @Test("insert stores every row even when they bind more values than one statement may hold")
    func insertSplitsLargeBatches() async throws {
        try await withStores { stores, _ in
            let count = try await stores.database.write(.none) { transaction in
                try await transaction.execute("CREATE TEMPORARY TABLE probe (a INTEGER, b TEXT, c DOUBLE PRECISION)")
                let rows = (0..<12_000).map { index -> SQL in "(\(index), \("row \(index)"), \(Double(index) / 2))" }
                #expect(rows.count * 3 > SQLTransaction.maximumValuesPerStatement)
                try await transaction.insert("INSERT INTO probe (a, b, c)", values: rows)
                return try await transaction.count("SELECT COUNT(DISTINCT a) AS n FROM probe")
            }
            #expect(count == 12_000)
        }
    }

    @Test("every kind of value reads back as written, on the run's engine")
    func valuesRoundTrip() async throws {
        try await withStores { stores, _ in
            let bytes = Data([0, 1, 2, 255])
            let row = try await stores.database.write(.none) { transaction in
                try await transaction.execute(
                    "CREATE TEMPORARY TABLE probe (id INTEGER PRIMARY KEY, n BIGINT, x DOUBLE PRECISION, t TEXT, b BOOLEAN, d \(SQL.dialect(sqlite: "BLOB", postgres: "BYTEA")), z TEXT)"
                )
                try await transaction.execute(
                    "INSERT INTO probe VALUES (\(1), \(Int.max), \(0.25), \("naïve 🙂"), \(true), \(bytes), \(String?.none))"
                )
                return try await transaction.row("SELECT * FROM probe")
            }
            let stored = try #require(row)
            #expect(try stored.int("n") == Int.max)
            #expect(try stored.double("x") == 0.25)
            #expect(try stored.string("t") == "naïve 🙂")
            #expect(try stored.bool("b"))
            #expect(try stored.optionalData("d") == bytes)
            #expect(try stored.optionalString("z") == nil)
            #expect(throws: StoredValueError.self) { try stored.string("missing") }
        }
    }

    @Test("a throw rolls the whole transaction back; a unique violation is recognised on either engine")
    func rollsBackAndRecognisesDuplicates() async throws {
        try await withStores { stores, _ in
            let (_, workspace) = try await makeWorkspace(stores, owner: "rollback@example.com")
            struct Abandoned: Error {}
            await #expect(throws: Abandoned.self) {
                try await stores.database.write(.workspace(workspace)) { transaction in
                    try await transaction.execute("UPDATE workspace SET name = 'Changed' WHERE id = \(workspace)")
                    throw Abandoned()
                }
            }
            let name = try await stores.database.read(.workspace(workspace)) { transaction in
                try await transaction.row("SELECT name FROM workspace WHERE id = \(workspace)")?.string("name")
            }
            #expect(name == "W")
            do {
                try await stores.database.write(.workspace(workspace)) { transaction in
                    try await transaction.execute(
                        "INSERT INTO workspace (id, name, plan, status, created_at) VALUES (\(workspace), 'Again', 'sandbox', 'normal', 0)")
                }
                Issue.record("a second workspace with the same id was stored")
            } catch {
                #expect(SQLTransaction.isUniqueViolation(error))
            }
        }
    }

    @Test("changes counts the rows a statement returned; count reads n")
    func changesAndCount() async throws {
        try await withStores { stores, _ in
            let (_, workspace) = try await makeWorkspace(stores, owner: "changes@example.com")
            let (changed, unchanged, count) = try await stores.database.write(.workspace(workspace)) { transaction in
                (
                    try await transaction.changes("UPDATE workspace SET name = 'X' WHERE id = \(workspace) RETURNING id"),
                    try await transaction.changes("UPDATE workspace SET name = 'Y' WHERE id = \(WorkspaceID()) RETURNING id"),
                    try await transaction.count("SELECT COUNT(*) AS n FROM workspace WHERE id = \(workspace)")
                )
            }
            #expect(changed == 1 && unchanged == 0 && count == 1)
        }
    }
}
