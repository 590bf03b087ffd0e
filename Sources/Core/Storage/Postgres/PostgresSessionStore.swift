import Foundation
import PostgresNIO

struct PostgresSessionStore: SessionStore {
    let database: PostgresDatabase

    func createSession(_ session: Session, refreshTokenHash: String, at date: Date) async throws {
        try await database.transaction(.none) { connection in
            try await connection.run(
                """
                INSERT INTO session (id, account_id, workspace_id, refresh_token_lifetime, created_at)
                VALUES (\(session.id.description), \(session.accountID.description), \(session.workspaceID.description),
                \(session.refreshTokenLifetime), \(date.storedValue))
                """,
                logger: database.logger
            )
            try await connection.run(
                """
                INSERT INTO refresh_token (token_hash, session_id, expires_at)
                VALUES (\(refreshTokenHash), \(session.id.description), \((date + session.refreshTokenLifetime).storedValue))
                """,
                logger: database.logger
            )
        }
    }

    func useRefreshToken(hash: String, successorHash: String, at date: Date) async throws -> RefreshTokenUse {
        try await database.transaction(.none) { connection in
            // The token's row is locked, so two instances presenting it at once cannot both rotate it.
            guard
                let row = try await connection.rows(
                    """
                    SELECT r.expires_at, r.spent_at, s.id, s.account_id, s.workspace_id, s.refresh_token_lifetime, s.revoked_at
                    FROM refresh_token r JOIN session s ON s.id = r.session_id WHERE r.token_hash = \(hash)
                    FOR UPDATE OF r
                    """,
                    logger: database.logger
                ).first
            else { return .unknown }
            let session = try Session(row: row)
            if try row.optionalDouble("spent_at") != nil {
                try await connection.run(
                    "UPDATE session SET revoked_at = \(date.storedValue) WHERE id = \(session.id.description) AND revoked_at IS NULL",
                    logger: database.logger
                )
                return .reused
            }
            if try row.optionalDouble("revoked_at") != nil { return .unknown }
            if try row.date("expires_at") <= date { return .expired }
            try await connection.run(
                "UPDATE refresh_token SET spent_at = \(date.storedValue) WHERE token_hash = \(hash)", logger: database.logger
            )
            try await connection.run(
                """
                INSERT INTO refresh_token (token_hash, session_id, expires_at)
                VALUES (\(successorHash), \(session.id.description), \((date + session.refreshTokenLifetime).storedValue))
                """,
                logger: database.logger
            )
            return .rotated(session)
        }
    }

    func revokeSession(_ id: SessionID, at date: Date) async throws {
        _ = try await database.rows(
            "UPDATE session SET revoked_at = \(date.storedValue) WHERE id = \(id.description) AND revoked_at IS NULL"
        )
    }

    func moveSession(_ id: SessionID, to workspace: WorkspaceID) async throws {
        try await database.transaction(.none) { connection in
            try await connection.run(
                "UPDATE session SET workspace_id = \(workspace.description) WHERE id = \(id.description)", logger: database.logger
            )
            try await connection.run(
                """
                UPDATE account SET last_workspace_id = \(workspace.description)
                WHERE id = (SELECT account_id FROM session WHERE id = \(id.description))
                """,
                logger: database.logger
            )
        }
    }

    func consoleGrant(account: AccountID, session: SessionID, workspace: WorkspaceID) async throws -> ConsoleGrant? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: AccountColumns.select("a")), m.role
                FROM session s JOIN account a ON a.id = s.account_id
                LEFT JOIN membership m ON m.workspace_id = \(workspace.description) AND m.account_id = s.account_id
                WHERE s.id = \(session.description) AND s.account_id = \(account.description) AND s.revoked_at IS NULL
                AND a.status = 'active'
                """,
                logger: database.logger
            ).first.map { try ConsoleGrant(row: $0, session: session, workspace: workspace) }
        }
    }
}
