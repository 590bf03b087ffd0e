import Foundation
import PostgresNIO

struct PostgresAppStore: AppStore {
    let database: PostgresDatabase

    func apps(in workspace: WorkspaceID, matching query: AppQuery) async throws -> Page<App> {
        let pattern = query.name.flatMap { $0.isEmpty ? nil : "%" + Self.escapeLike($0) + "%" }
        let mode = query.mode?.rawValue
        return try await database.transaction(.workspace(workspace)) { connection in
            // SQLite's LIKE ignores ASCII case; ILIKE answers the same here.
            let rows = try await connection.rows(
                """
                SELECT *, COUNT(*) OVER () AS total FROM app
                WHERE workspace_id = \(workspace.description) AND (\(mode)::TEXT IS NULL OR mode = \(mode))
                AND (\(pattern)::TEXT IS NULL OR name ILIKE \(pattern) ESCAPE '\\')
                ORDER BY created_at DESC, id DESC LIMIT \(query.limit) OFFSET \((query.page - 1) * query.limit)
                """,
                logger: database.logger
            )
            let total: Int
            if let first = rows.first {
                total = try first.int("total")
            } else {
                // A page past the end still reports how many there are.
                total = try await connection.rows(
                    """
                    SELECT COUNT(*) AS n FROM app WHERE workspace_id = \(workspace.description)
                    AND (\(mode)::TEXT IS NULL OR mode = \(mode)) AND (\(pattern)::TEXT IS NULL OR name ILIKE \(pattern) ESCAPE '\\')
                    """,
                    logger: database.logger
                ).first?.int("n") ?? 0
            }
            return Page(items: try rows.map { try App(row: $0) }, total: total, page: query.page, limit: query.limit)
        }
    }

    func app(_ id: AppID, in workspace: WorkspaceID) async throws -> App? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await Self.app(id, in: workspace, lock: false, connection, database)
        }
    }

    func insert(_ app: App) async throws {
        try await database.transaction(.workspace(app.workspaceID)) { connection in
            try await PostgresPlanStore.lockWorkspace(app.workspaceID, connection, database)
            try await PostgresPlanStore.requireRoom(
                for: "apps", \.apps, in: app.workspaceID,
                count: "SELECT COUNT(*) AS n FROM app WHERE workspace_id = \(app.workspaceID.description)", connection, database
            )
            let inserted = try await connection.changes(
                """
                INSERT INTO app (\(unescaped: AppColumns.names.joined(separator: ", "))) VALUES (
                \(app.id.description), \(app.workspaceID.description), \(app.name), \(app.mode.rawValue), \(app.icon),
                \(app.iconBackground), \(app.description), \(app.enableSite), \(app.enableAPI), \(app.apiRPM), \(app.apiRPH),
                \(app.isDemo), \(app.createdBy?.description), \(app.createdAt.storedValue), \(app.updatedAt.storedValue))
                ON CONFLICT (workspace_id, name) DO NOTHING RETURNING id
                """,
                logger: database.logger
            )
            guard inserted == 1 else { throw RelayError.duplicateAppName(app.name) }
        }
    }

    func update(_ id: AppID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout App) -> Void) async throws -> App? {
        try await database.transaction(.workspace(workspace)) { connection -> App? in
            guard var app = try await Self.app(id, in: workspace, lock: true, connection, database) else { return nil }
            change(&app)
            do {
                try await connection.run(
                    """
                    UPDATE app SET name = \(app.name), mode = \(app.mode.rawValue), icon = \(app.icon),
                    icon_background = \(app.iconBackground), description = \(app.description), enable_site = \(app.enableSite),
                    enable_api = \(app.enableAPI), api_rpm = \(app.apiRPM), api_rph = \(app.apiRPH), is_demo = \(app.isDemo),
                    updated_at = \(app.updatedAt.storedValue)
                    WHERE id = \(id.description) AND workspace_id = \(workspace.description)
                    """,
                    logger: database.logger
                )
            } catch let error as PSQLError where error.isUniqueViolation {
                throw RelayError.duplicateAppName(app.name)
            }
            return app
        }
    }

    func delete(_ id: AppID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.changes(
                "DELETE FROM app WHERE id = \(id.description) AND workspace_id = \(workspace.description) RETURNING id",
                logger: database.logger
            ) > 0
        }
    }

    private static func app(
        _ id: AppID, in workspace: WorkspaceID, lock: Bool, _ connection: PostgresConnection, _ database: PostgresDatabase
    ) async throws -> App? {
        try await connection.rows(
            """
            SELECT * FROM app WHERE id = \(id.description) AND workspace_id = \(workspace.description)
            \(unescaped: lock ? "FOR UPDATE" : "")
            """,
            logger: database.logger
        ).first.map { try App(row: $0) }
    }
}
