import Foundation
import GRDB

struct SQLiteSessionStore: SessionStore {
    let writer: any DatabaseWriter

    func createSession(_ session: Session, refreshTokenHash: String, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO session (id, account_id, workspace_id, refresh_token_lifetime, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [session.id.description, session.accountID.description, session.workspaceID.description, session.refreshTokenLifetime, date.storedValue]
            )
            try db.execute(
                sql: "INSERT INTO refresh_token (token_hash, session_id, expires_at) VALUES (?, ?, ?)",
                arguments: [refreshTokenHash, session.id.description, (date + session.refreshTokenLifetime).storedValue]
            )
        }
    }

    func useRefreshToken(hash: String, successorHash: String, at date: Date) async throws -> RefreshTokenUse {
        try await writer.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT r.expires_at, r.spent_at, s.id, s.account_id, s.workspace_id, s.refresh_token_lifetime,
                        s.revoked_at
                        FROM refresh_token r JOIN session s ON s.id = r.session_id WHERE r.token_hash = ?
                        """,
                    arguments: [hash]
                )
            else { return .unknown }
            let session = try Session(row: row)
            if (row["spent_at"] as Double?) != nil {
                try db.execute(
                    sql: "UPDATE session SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                    arguments: [date.storedValue, session.id.description]
                )
                return .reused
            }
            if (row["revoked_at"] as Double?) != nil { return .unknown }
            if try row.date("expires_at") <= date { return .expired }
            try db.execute(
                sql: "UPDATE refresh_token SET spent_at = ? WHERE token_hash = ?", arguments: [date.storedValue, hash]
            )
            try db.execute(
                sql: "INSERT INTO refresh_token (token_hash, session_id, expires_at) VALUES (?, ?, ?)",
                arguments: [successorHash, session.id.description, (date + session.refreshTokenLifetime).storedValue]
            )
            return .rotated(session)
        }
    }

    func revokeSession(_ id: SessionID, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE session SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [date.storedValue, id.description]
            )
        }
    }

    func moveSession(_ id: SessionID, to workspace: WorkspaceID) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE session SET workspace_id = ? WHERE id = ?", arguments: [workspace.description, id.description])
            try db.execute(
                sql: "UPDATE account SET last_workspace_id = ? WHERE id = (SELECT account_id FROM session WHERE id = ?)",
                arguments: [workspace.description, id.description]
            )
        }
    }

    func consoleGrant(account: AccountID, session: SessionID, workspace: WorkspaceID) async throws -> ConsoleGrant? {
        try await writer.read { db in
            // Runs on every console request: the statement is prepared once per connection.
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                    SELECT \(AccountColumns.select("a")), m.role
                    FROM session s JOIN account a ON a.id = s.account_id
                    LEFT JOIN membership m ON m.workspace_id = ? AND m.account_id = s.account_id
                    WHERE s.id = ? AND s.account_id = ? AND s.revoked_at IS NULL AND a.status = 'active'
                    """
                ),
                arguments: [workspace.description, session.description, account.description]
            ).map { try ConsoleGrant(row: $0, session: session, workspace: workspace) }
        }
    }
}
