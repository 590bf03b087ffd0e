import Foundation
import GRDB

struct SQLiteAppStore: AppStore {
    let writer: any DatabaseWriter

    func apps(in workspace: WorkspaceID, matching query: AppQuery) async throws -> Page<App> {
        var filter = "workspace_id = ?"
        var arguments: StatementArguments = [workspace.description]
        if let mode = query.mode {
            filter += " AND mode = ?"
            arguments += [mode.rawValue]
        }
        if let name = query.name, !name.isEmpty {
            filter += " AND name LIKE ? ESCAPE '\\'"
            arguments += ["%" + Self.escapeLike(name) + "%"]
        }
        let (condition, values) = (filter, arguments)
        return try await writer.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM app WHERE \(condition)", arguments: values) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM app WHERE \(condition) ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                arguments: values + [query.limit, (query.page - 1) * query.limit]
            )
            return Page(items: try rows.map { try App(row: $0) }, total: total, page: query.page, limit: query.limit)
        }
    }

    func app(_ id: AppID, in workspace: WorkspaceID) async throws -> App? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM app WHERE id = ? AND workspace_id = ?", arguments: [id.description, workspace.description])
                .map { try App(row: $0) }
        }
    }

    func insert(_ app: App) async throws {
        try await writer.write { db in
            try SQLitePlanStore.requireRoom(
                for: "apps", \.apps, in: app.workspaceID, counting: { try SQLitePlanStore.appCount(app.workspaceID, $0) }, db
            )
            let placeholders = Array(repeating: "?", count: AppColumns.names.count).joined(separator: ", ")
            try Self.execute(
                "INSERT INTO app (\(AppColumns.names.joined(separator: ", "))) VALUES (\(placeholders))", app.storedArguments,
                naming: app.name, db
            )
        }
    }

    func update(_ id: AppID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout App) -> Void) async throws -> App? {
        try await writer.write { db -> App? in
            guard
                var app = try Row.fetchOne(
                    db, sql: "SELECT * FROM app WHERE id = ? AND workspace_id = ?", arguments: [id.description, workspace.description]
                ).map({ try App(row: $0) })
            else { return nil }
            change(&app)
            let assignments = AppColumns.names.map { "\($0) = ?" }.joined(separator: ", ")
            try Self.execute(
                "UPDATE app SET \(assignments) WHERE id = ? AND workspace_id = ?",
                app.storedArguments + [app.id.description, app.workspaceID.description], naming: app.name, db
            )
            return app
        }
    }

    func delete(_ id: AppID, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM app WHERE id = ? AND workspace_id = ?", arguments: [id.description, workspace.description])
            return db.changesCount > 0
        }
    }

    /// Runs a statement that writes an app's name, turning the unique (workspace, name) constraint into the API's
    /// answer for a duplicate name; the throw rolls the transaction back.
    private static func execute(_ sql: String, _ arguments: StatementArguments, naming name: String, _ db: Database) throws {
        do {
            try db.execute(sql: sql, arguments: arguments)
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw RelayError.duplicateAppName(name)
        }
    }

}
