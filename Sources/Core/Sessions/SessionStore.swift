public import Foundation

/// Storage of console sessions and their refresh tokens (only hashes).
public struct SessionStore: Sendable {
    let database: SQLDatabase

    public func createSession(_ session: Session, refreshTokenHash: String, at date: Date) async throws {
        try await database.write(.none) { transaction in
            try await transaction.execute(
                """
                INSERT INTO session (id, account_id, workspace_id, refresh_token_lifetime, created_at)
                VALUES (\(session.id), \(session.accountID), \(session.workspaceID),
                \(session.refreshTokenLifetime), \(date))
                """)
            try await transaction.execute(
                """
                INSERT INTO refresh_token (token_hash, session_id, expires_at)
                VALUES (\(refreshTokenHash), \(session.id), \(date + session.refreshTokenLifetime))
                """)
        }
    }

    /// Spends a live refresh token and stores its successor in one transaction; a spent one revokes its session.
    public func useRefreshToken(hash: String, successorHash: String, at date: Date) async throws -> RefreshTokenUse {
        try await database.write(.none) { transaction in
            // The token's row is locked, so two instances presenting it at once cannot both rotate it.
            guard
                let row = try await transaction.rows(
                    """
                    SELECT r.expires_at, r.spent_at, s.id, s.account_id, s.workspace_id, s.refresh_token_lifetime, s.revoked_at
                    FROM refresh_token r JOIN session s ON s.id = r.session_id WHERE r.token_hash = \(hash)
                    \(SQL.forUpdate(of: "r"))
                    """
                ).first
            else { return .unknown }
            let session = try Session(row: row)
            if try row.optionalDouble("spent_at") != nil {
                try await transaction.execute(
                    "UPDATE session SET revoked_at = \(date) WHERE id = \(session.id) AND revoked_at IS NULL")
                return .reused
            }
            if try row.optionalDouble("revoked_at") != nil { return .unknown }
            if try row.date("expires_at") <= date { return .expired }
            try await transaction.execute(
                "UPDATE refresh_token SET spent_at = \(date) WHERE token_hash = \(hash)")
            try await transaction.execute(
                """
                INSERT INTO refresh_token (token_hash, session_id, expires_at)
                VALUES (\(successorHash), \(session.id), \(date + session.refreshTokenLifetime))
                """)
            return .rotated(session)
        }
    }

    public func revokeSession(_ id: SessionID, at date: Date) async throws {
        try await database.autocommit { transaction in
            try await transaction.execute("UPDATE session SET revoked_at = \(date) WHERE id = \(id) AND revoked_at IS NULL")
        }
    }

    /// Makes `workspace` the one the session's refreshed tokens are for, and the account's last one.
    public func moveSession(_ id: SessionID, to workspace: WorkspaceID) async throws {
        try await database.write(.none) { transaction in
            try await transaction.execute(
                "UPDATE session SET workspace_id = \(workspace) WHERE id = \(id)")
            try await transaction.execute(
                """
                UPDATE account SET last_workspace_id = \(workspace)
                WHERE id = (SELECT account_id FROM session WHERE id = \(id))
                """)
        }
    }

    /// The caller's role in `workspace` if the session is live and the account active; `nil` otherwise.
    public func consoleGrant(account: AccountID, session: SessionID, workspace: WorkspaceID) async throws -> ConsoleGrant? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT \(unescaped: AccountColumns.select("a")), m.role
                FROM session s JOIN account a ON a.id = s.account_id
                LEFT JOIN membership m ON m.workspace_id = \(workspace) AND m.account_id = s.account_id
                WHERE s.id = \(session) AND s.account_id = \(account) AND s.revoked_at IS NULL
                AND a.status = 'active'
                """
            ).first.map { try ConsoleGrant(row: $0, session: session, workspace: workspace) }
        }
    }
}

extension Session {
    /// A row of the session's `id`, `account_id`, `workspace_id` and `refresh_token_lifetime`.
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), accountID: try row.identifier("account_id"), workspaceID: try row.identifier("workspace_id"),
            refreshTokenLifetime: try row.double("refresh_token_lifetime")
        )
    }
}

extension ConsoleGrant {
    /// A row of the account's columns and its `role` in `workspace` (`NULL` when not a member).
    init(row: StoredRow, session: SessionID, workspace: WorkspaceID) throws {
        self.init(
            account: try Account(row: row), sessionID: session, workspaceID: workspace,
            role: try row.optionalString("role").flatMap(Role.init(rawValue:))
        )
    }
}
