import Foundation
import GRDB

struct SQLiteAPIKeyStore: APIKeyStore {
    let writer: any DatabaseWriter

    func appKeys(of app: AppID, in workspace: WorkspaceID) async throws -> [APIKey] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(APIKey.columns) FROM api_key k
                    WHERE k.workspace_id = ? AND k.app_id = ? AND k.revoked_at IS NULL ORDER BY k.created_at, k.id
                    """,
                arguments: [workspace.description, app.description]
            ).map { try APIKey(row: $0) }
        }
    }

    func workspaceKeys(of kind: APIKey.Kind, in workspace: WorkspaceID) async throws -> [APIKey] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(APIKey.columns) FROM api_key k
                    WHERE k.workspace_id = ? AND k.kind = ? AND k.revoked_at IS NULL ORDER BY k.created_at, k.id
                    """,
                arguments: [workspace.description, kind.rawValue]
            ).map { try APIKey(row: $0) }
        }
    }

    func insert(_ key: APIKey, secretHash: String, limit: Int) async throws -> Bool {
        try await writer.write { db in
            let live = try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM api_key
                    WHERE workspace_id = ? AND kind = ? AND app_id IS ? AND revoked_at IS NULL
                    """,
                arguments: [key.workspaceID.description, key.kind.rawValue, key.appID?.description]
            ) ?? 0
            guard live < limit else { return false }
            try db.execute(
                sql: """
                    INSERT INTO api_key (id, workspace_id, app_id, kind, name, permissions, secret_hash, hint, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [key.id.description, key.workspaceID.description, key.appID?.description, key.kind.rawValue, key.name, key.storedPermissions, secretHash, key.hint, key.createdAt.storedValue, ]
            )
            return true
        }
    }

    func revoke(_ id: APIKeyID, kind: APIKey.Kind, app: AppID?, in workspace: WorkspaceID, at date: Date) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE api_key SET revoked_at = ?
                    WHERE id = ? AND workspace_id = ? AND kind = ? AND app_id IS ? AND revoked_at IS NULL
                    """,
                arguments: [date.storedValue, id.description, workspace.description, kind.rawValue, app?.description]
            )
            return db.changesCount > 0
        }
    }

    func lookup(secretHash: String, requestedApp: AppID?, at date: Date) async throws -> APIKeyLookup? {
        let found = try await writer.read { db -> (APIKeyLookup, needsTouch: Bool)? in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT \(APIKey.columns), k.revoked_at, \(AppColumns.select("a", prefix: "app__")), u.name AS app__author_name,
                            w.plan_overrides, \(PlanColumns.select("p"))
                            FROM api_key k
                            JOIN workspace w ON w.id = k.workspace_id
                            JOIN plan p ON p.name = w.plan
                            LEFT JOIN app a ON a.id = COALESCE(k.app_id, ?) AND a.workspace_id = k.workspace_id
                            LEFT JOIN account u ON u.id = a.created_by
                            WHERE k.secret_hash = ?
                            """
                    ),
                    arguments: [requestedApp?.description, secretHash]
                )
            else { return nil }
            let lookup = try APIKeyLookup(row: row)
            let stale = lookup.key.lastUsedAt.map { date.timeIntervalSince($0) >= APIKeyLastUse.resolution } ?? true
            return (lookup, !lookup.isRevoked && stale)
        }
        guard let (lookup, needsTouch) = found else { return nil }
        if needsTouch {
            // Bookkeeping: a database busy with another process's writes must not fail the request it describes.
            try? await writer.write { db in
                try db.execute(
                    sql: "UPDATE api_key SET last_used_at = ? WHERE id = ?", arguments: [date.storedValue, lookup.key.id.description]
                )
            }
        }
        return lookup
    }
}
