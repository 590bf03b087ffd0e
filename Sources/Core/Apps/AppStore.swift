public import Foundation

/// Storage of apps. Every method is scoped by workspace: an app of another workspace is indistinguishable from none.
public struct AppStore: Sendable {
    let database: SQLDatabase

    public func apps(in workspace: WorkspaceID, matching query: AppQuery) async throws -> Page<App> {
        var filter: SQL = "workspace_id = \(workspace)"
        if let mode = query.mode { filter += " AND mode = \(mode.rawValue)" }
        if let name = query.name, !name.isEmpty {
            filter += " AND \(SQL.contains(column: "name", name))"
        }
        return try await database.read(.workspace(workspace)) { [filter] transaction in
            let rows = try await transaction.rows(
                """
                SELECT *, COUNT(*) OVER () AS total FROM app WHERE \(filter)
                ORDER BY created_at DESC, id DESC LIMIT \(query.limit) OFFSET \((query.page - 1) * query.limit)
                """
            )
            // A page past the end still reports how many there are.
            let total = try await rows.isEmpty ? transaction.count("SELECT COUNT(*) AS n FROM app WHERE \(filter)") : rows[0].int("total")
            return Page(items: try rows.map { try App(row: $0) }, total: total, page: query.page, limit: query.limit)
        }
    }

    public func app(_ id: AppID, in workspace: WorkspaceID) async throws -> App? {
        try await database.write(.workspace(workspace)) { transaction in
            try await Self.app(id, in: workspace, lock: false, transaction)
        }
    }

    /// Inserts the app; throws `invalid_param` on `name` when the workspace already has an app of that name.
    public func insert(_ app: App) async throws {
        try await database.write(.workspace(app.workspaceID)) { transaction in
            try await transaction.lockWorkspace(app.workspaceID)
            try await PlanStore.requireRoom(
                for: "apps", \.apps, in: app.workspaceID,
                count: "SELECT COUNT(*) AS n FROM app WHERE workspace_id = \(app.workspaceID)", transaction)
            let inserted = try await transaction.changes(
                """
                INSERT INTO app (\(unescaped: AppColumns.names.joined(separator: ", "))) VALUES (
                \(app.id), \(app.workspaceID), \(app.name), \(app.mode.rawValue), \(app.icon),
                \(app.iconBackground), \(app.description), \(app.enableSite), \(app.enableAPI), \(app.apiRPM), \(app.apiRPH),
                \(app.isDemo), \(app.createdBy), \(app.createdAt), \(app.updatedAt))
                ON CONFLICT (workspace_id, name) DO NOTHING RETURNING id
                """)
            guard inserted == 1 else { throw RelayError.duplicateAppName(app.name) }
        }
    }

    /// Applies `change` to the stored app in one transaction, so concurrent changes of different fields both stand;
    /// same name rule as `insert`. Returns the changed app, or `nil` when there is no such app.
    public func update(_ id: AppID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout App) -> Void) async throws -> App? {
        try await database.write(.workspace(workspace)) { transaction -> App? in
            guard var app = try await Self.app(id, in: workspace, lock: true, transaction) else { return nil }
            change(&app)
            do {
                try await transaction.execute(
                    """
                    UPDATE app SET name = \(app.name), mode = \(app.mode.rawValue), icon = \(app.icon),
                    icon_background = \(app.iconBackground), description = \(app.description), enable_site = \(app.enableSite),
                    enable_api = \(app.enableAPI), api_rpm = \(app.apiRPM), api_rph = \(app.apiRPH), is_demo = \(app.isDemo),
                    updated_at = \(app.updatedAt)
                    WHERE id = \(id) AND workspace_id = \(workspace)
                    """)
            } catch  where SQLTransaction.isUniqueViolation(error) {
                throw RelayError.duplicateAppName(app.name)
            }
            return app
        }
    }

    /// Deletes the app and everything that belongs to it. Returns `false` when there is no such app.
    public func delete(_ id: AppID, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.changes(
                "DELETE FROM app WHERE id = \(id) AND workspace_id = \(workspace) RETURNING id") > 0
        }
    }

    private static func app(
        _ id: AppID, in workspace: WorkspaceID, lock: Bool, _ transaction: SQLTransaction
    ) async throws -> App? {
        try await transaction.rows(
            """
            SELECT * FROM app WHERE id = \(id) AND workspace_id = \(workspace)
            \(lock ? SQL.forUpdate() : "")
            """
        ).first.map { try App(row: $0) }
    }
}

enum AppColumns {
    static let names = [
        "id", "workspace_id", "name", "mode", "icon", "icon_background", "description", "enable_site", "enable_api",
        "api_rpm", "api_rph", "is_demo", "created_by", "created_at", "updated_at",
    ]

    static func select(_ alias: String, prefix: String = "") -> String {
        names.map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }
}

extension App {
    init(row: StoredRow, prefix: String = "") throws {
        self.init(
            id: try row.identifier(prefix + "id"), workspaceID: try row.identifier(prefix + "workspace_id"),
            name: try row.string(prefix + "name"), mode: AppMode(rawValue: try row.string(prefix + "mode")) ?? .chat,
            icon: try row.string(prefix + "icon"), iconBackground: try row.string(prefix + "icon_background"),
            description: try row.string(prefix + "description"), enableSite: try row.bool(prefix + "enable_site"),
            enableAPI: try row.bool(prefix + "enable_api"), apiRPM: try row.int(prefix + "api_rpm"),
            apiRPH: try row.int(prefix + "api_rph"), isDemo: try row.bool(prefix + "is_demo"),
            createdBy: try row.optionalIdentifier(prefix + "created_by"), createdAt: try row.date(prefix + "created_at"),
            updatedAt: try row.date(prefix + "updated_at")
        )
    }
}
