import Foundation
import PostgresNIO

struct PostgresAPIKeyStore: APIKeyStore {
    let database: PostgresDatabase

    func appKeys(of app: AppID, in workspace: WorkspaceID) async throws -> [APIKey] {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: APIKey.columns) FROM api_key k
                WHERE k.workspace_id = \(workspace.description) AND k.app_id = \(app.description) AND k.revoked_at IS NULL
                ORDER BY k.created_at, k.id
                """,
                logger: database.logger
            ).map { try APIKey(row: $0) }
        }
    }

    func workspaceKeys(of kind: APIKey.Kind, in workspace: WorkspaceID) async throws -> [APIKey] {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: APIKey.columns) FROM api_key k
                WHERE k.workspace_id = \(workspace.description) AND k.kind = \(kind.rawValue) AND k.revoked_at IS NULL
                ORDER BY k.created_at, k.id
                """,
                logger: database.logger
            ).map { try APIKey(row: $0) }
        }
    }

    func insert(_ key: APIKey, secretHash: String, limit: Int) async throws -> Bool {
        try await database.transaction(.workspace(key.workspaceID)) { connection in
            try await PostgresPlanStore.lockWorkspace(key.workspaceID, connection, database)
            let live = try await connection.rows(
                """
                SELECT COUNT(*) AS n FROM api_key
                WHERE workspace_id = \(key.workspaceID.description) AND kind = \(key.kind.rawValue)
                AND app_id IS NOT DISTINCT FROM \(key.appID?.description) AND revoked_at IS NULL
                """,
                logger: database.logger
            ).first?.int("n") ?? 0
            guard live < limit else { return false }
            try await connection.run(
                """
                INSERT INTO api_key (id, workspace_id, app_id, kind, name, permissions, secret_hash, hint, created_at)
                VALUES (\(key.id.description), \(key.workspaceID.description), \(key.appID?.description), \(key.kind.rawValue),
                \(key.name), \(key.storedPermissions), \(secretHash), \(key.hint), \(key.createdAt.storedValue))
                """,
                logger: database.logger
            )
            return true
        }
    }

    func revoke(_ id: APIKeyID, kind: APIKey.Kind, app: AppID?, in workspace: WorkspaceID, at date: Date) async throws -> Bool {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.changes(
                """
                UPDATE api_key SET revoked_at = \(date.storedValue)
                WHERE id = \(id.description) AND workspace_id = \(workspace.description) AND kind = \(kind.rawValue)
                AND app_id IS NOT DISTINCT FROM \(app?.description) AND revoked_at IS NULL RETURNING id
                """,
                logger: database.logger
            ) > 0
        }
    }

    func lookup(secretHash: String, requestedApp: AppID?, at date: Date) async throws -> APIKeyLookup? {
        // The key is what names the workspace, so it is looked up across all of them.
        let lookup = try await database.transaction(.allWorkspaces) { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: APIKey.columns), k.revoked_at, \(unescaped: AppColumns.select("a", prefix: "app__")), u.name AS app__author_name,
                w.plan_overrides, \(unescaped: PlanColumns.select("p"))
                FROM api_key k
                JOIN workspace w ON w.id = k.workspace_id
                JOIN plan p ON p.name = w.plan
                LEFT JOIN app a ON a.id = COALESCE(k.app_id, \(requestedApp?.description)) AND a.workspace_id = k.workspace_id
                LEFT JOIN account u ON u.id = a.created_by
                WHERE k.secret_hash = \(secretHash)
                """,
                logger: database.logger
            ).first.map { try APIKeyLookup(row: $0) }
        }
        guard let lookup else { return nil }
        let stale = lookup.key.lastUsedAt.map { date.timeIntervalSince($0) >= APIKeyLastUse.resolution } ?? true
        if !lookup.isRevoked, stale {
            // Bookkeeping: a failure here must not fail the request it describes.
            _ = try? await database.transaction(.workspace(lookup.key.workspaceID)) { connection in
                try await connection.run(
                    "UPDATE api_key SET last_used_at = \(date.storedValue) WHERE id = \(lookup.key.id.description)",
                    logger: database.logger
                )
            }
        }
        return lookup
    }
}
