public import Foundation

/// Apps' web settings, kept beside the app they belong to.
extension AppStore {
    /// The app's stored site; `nil` when it has never been changed (its defaults apply).
    public func site(of app: AppID, in workspace: WorkspaceID) async throws -> StoredSite? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row("SELECT * FROM app_site WHERE app_id = \(app) AND workspace_id = \(workspace)").map(StoredSite.init(row:))
        }
    }

    /// Applies `change` to the app's site (its defaults when none is stored) in one transaction, and stores it; `nil`
    /// when the workspace has no such app.
    public func updateSite(
        of app: AppID, in workspace: WorkspaceID, by account: AccountID?, at date: Date,
        _ change: @escaping @Sendable (inout StoredSite) throws -> Void
    ) async throws -> StoredSite? {
        try await database.write(.workspace(workspace)) { transaction -> StoredSite? in
            guard let owner = try await transaction.row("SELECT * FROM app WHERE id = \(app) AND workspace_id = \(workspace) \(SQL.forUpdate())")
            else { return nil }
            var site =
                try await transaction.row("SELECT * FROM app_site WHERE app_id = \(app) AND workspace_id = \(workspace)").map(StoredSite.init(row:))
                ?? StoredSite(
                    appID: app, settings: AppSite(defaultsOf: try App(row: owner)), code: StoredSite.newCode(), updatedBy: nil, updatedAt: date)
            try change(&site)
            site.updatedBy = account
            site.updatedAt = date
            try await transaction.execute(
                """
                INSERT INTO app_site (app_id, workspace_id, code, settings, updated_by, updated_at)
                VALUES (\(app), \(workspace), \(site.code), \(StoredJSON.encode(site.settings)), \(account), \(date))
                ON CONFLICT (app_id) DO UPDATE SET code = excluded.code, settings = excluded.settings, updated_by = excluded.updated_by,
                updated_at = excluded.updated_at
                """
            )
            return site
        }
    }
}

extension StoredSite {
    init(row: StoredRow) throws {
        self.init(
            appID: try row.identifier("app_id"), settings: try StoredJSON.decode(AppSite.self, try row.string("settings"), column: "settings"),
            code: try row.string("code"), updatedBy: try row.optionalIdentifier("updated_by"), updatedAt: try row.date("updated_at")
        )
    }
}
