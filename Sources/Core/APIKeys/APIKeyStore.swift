public import Foundation

/// Storage of API keys (only hashes of their secrets).
public struct APIKeyStore: Sendable {
    let database: SQLDatabase

    /// How stale a key's `last_used_at` may get before a lookup writes it again: one write a minute per key at most.
    static let lastUseResolution: TimeInterval = 60
    static let columns = "k.id, k.workspace_id, k.app_id, k.kind, k.name, k.permissions, k.hint, k.created_at, k.last_used_at"

    /// Live keys of one app, oldest first.
    public func appKeys(of app: AppID, in workspace: WorkspaceID) async throws -> [APIKey] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT \(unescaped: Self.columns) FROM api_key k
                WHERE k.workspace_id = \(workspace) AND k.app_id = \(app) AND k.revoked_at IS NULL ORDER BY k.created_at, k.id
                """
            ).map(APIKey.init(row:))
        }
    }

    /// Live keys of the workspace that belong to no app (workspace or dataset keys), oldest first.
    public func workspaceKeys(of kind: APIKey.Kind, in workspace: WorkspaceID) async throws -> [APIKey] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT \(unescaped: Self.columns) FROM api_key k
                WHERE k.workspace_id = \(workspace) AND k.kind = \(kind.rawValue) AND k.revoked_at IS NULL ORDER BY k.created_at, k.id
                """
            ).map(APIKey.init(row:))
        }
    }

    /// Stores the key unless its owner (app, or workspace for workspace keys) already has `limit` live keys.
    public func insert(_ key: APIKey, secretHash: String, limit: Int) async throws -> Bool {
        try await database.write(.workspace(key.workspaceID)) { transaction in
            try await transaction.lockWorkspace(key.workspaceID)
            let live = try await transaction.count(
                """
                SELECT COUNT(*) AS n FROM api_key
                WHERE workspace_id = \(key.workspaceID) AND kind = \(key.kind.rawValue)
                AND app_id IS NOT DISTINCT FROM \(key.appID) AND revoked_at IS NULL
                """
            )
            guard live < limit else { return false }
            try await transaction.execute(
                """
                INSERT INTO api_key (id, workspace_id, app_id, kind, name, permissions, secret_hash, hint, created_at)
                VALUES (\(key.id), \(key.workspaceID), \(key.appID), \(key.kind.rawValue), \(key.name), \(key.storedPermissions),
                \(secretHash), \(key.hint), \(key.createdAt))
                """
            )
            return true
        }
    }

    /// Revokes a live key of this workspace (and app, for app keys). `false` when there is no such key.
    public func revoke(_ id: APIKeyID, kind: APIKey.Kind, app: AppID?, in workspace: WorkspaceID, at date: Date) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.changes(
                """
                UPDATE api_key SET revoked_at = \(date)
                WHERE id = \(id) AND workspace_id = \(workspace) AND kind = \(kind.rawValue)
                AND app_id IS NOT DISTINCT FROM \(app) AND revoked_at IS NULL RETURNING id
                """
            ) > 0
        }
    }

    /// Finds a presented key by its hash, with its app (or the app `requestedApp` names, for workspace keys),
    /// and notes when it was last used.
    public func lookup(secretHash: String, requestedApp: AppID?, at date: Date) async throws -> APIKeyLookup? {
        // The key is what names the workspace, so it is looked up across all of them.
        let lookup = try await database.read(.allWorkspaces) { transaction in
            try await transaction.row(
                """
                SELECT \(unescaped: Self.columns), k.revoked_at, \(unescaped: AppColumns.select("a", prefix: "app__")),
                u.name AS app__author_name, w.plan_overrides, \(unescaped: PlanColumns.select("p"))
                FROM api_key k
                JOIN workspace w ON w.id = k.workspace_id
                JOIN plan p ON p.name = w.plan
                LEFT JOIN app a ON a.id = COALESCE(k.app_id, \(requestedApp)) AND a.workspace_id = k.workspace_id
                LEFT JOIN account u ON u.id = a.created_by
                WHERE k.secret_hash = \(secretHash)
                """
            ).map(APIKeyLookup.init(row:))
        }
        guard let lookup else { return nil }
        let stale = lookup.key.lastUsedAt.map { date.timeIntervalSince($0) >= Self.lastUseResolution } ?? true
        if !lookup.isRevoked, stale {
            // Bookkeeping: a database busy with other writes must not fail the request it describes.
            _ = try? await database.write(.workspace(lookup.key.workspaceID)) { transaction in
                try await transaction.execute("UPDATE api_key SET last_used_at = \(date) WHERE id = \(lookup.key.id)")
            }
        }
        return lookup
    }
}

extension APIKey {
    init(row: StoredRow) throws {
        let permissions = try row.string("permissions").split(separator: ",").compactMap {
            APIKey.Permission(rawValue: $0.trimmingCharacters(in: .whitespaces))
        }
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), appID: try row.optionalIdentifier("app_id"),
            kind: APIKey.Kind(rawValue: try row.string("kind")) ?? .app, name: try row.string("name"), permissions: permissions,
            hint: try row.string("hint"), createdAt: try row.date("created_at"), lastUsedAt: try row.optionalDate("last_used_at")
        )
    }

    /// The stored form of `permissions`.
    var storedPermissions: String { permissions.map(\.rawValue).joined(separator: ", ") }
}

extension APIKeyLookup {
    /// A row of `APIKeyStore.columns`, `k.revoked_at`, the app under `app__` with its author's name as `app__author_name`,
    /// and the plan columns.
    init(row: StoredRow) throws {
        let key = try APIKey(row: row)
        self.init(
            key: key, isRevoked: try row.optionalDouble("revoked_at") != nil,
            app: try row.optionalString("app__id") == nil ? nil : try App(row: row, prefix: "app__"),
            plan: try WorkspacePlan(row: row, workspace: key.workspaceID), appAuthorName: try row.optionalString("app__author_name")
        )
    }
}
