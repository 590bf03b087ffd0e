import Foundation
import PostgresNIO

struct PostgresAccountStore: AccountStore {
    let database: PostgresDatabase

    func setupDate() async throws -> Date? {
        try await database.rows("SELECT completed_at FROM setup WHERE id = 1").first.map { try $0.date("completed_at") }
    }

    func completeSetup(owner: NewAccount, workspace: Workspace, at date: Date) async throws -> Bool {
        try await database.transaction(.workspace(workspace.id)) { connection in
            // The row with id 1 is setup's lock: a second setup waits here for the first and then finds it done.
            let claimed = try await connection.changes(
                "INSERT INTO setup (id, completed_at) VALUES (1, \(date.storedValue)) ON CONFLICT (id) DO NOTHING RETURNING id",
                logger: database.logger
            )
            guard claimed == 1 else { return false }
            try await Self.insertOwner(owner, of: workspace, at: date, connection, database)
            return true
        }
    }

    func register(_ account: NewAccount, workspace: Workspace, at date: Date) async throws {
        try await database.transaction(.workspace(workspace.id)) { connection in
            try await Self.insertOwner(account, of: workspace, at: date, connection, database)
        }
    }

    func credential(email: String) async throws -> AccountCredential? {
        try await database.rows(
            "SELECT \(unescaped: AccountColumns.select("a")), a.password_hash, a.last_workspace_id FROM account a WHERE a.email = \(email)"
        ).first.map { try AccountCredential(row: $0) }
    }

    func recordLogin(_ account: AccountID, at date: Date) async throws {
        _ = try await database.rows("UPDATE account SET last_login_at = \(date.storedValue) WHERE id = \(account.description)")
    }

    func claimLoginAttempt(email: String, since: Date, limit: Int, at date: Date) async throws -> [Date]? {
        try await database.transaction(.none) { connection in
            // Attempts on one address take turns, so parallel guesses cannot all see room under the limit.
            try await connection.run("SELECT pg_advisory_xact_lock(hashtext(\(email)))", logger: database.logger)
            let failures = try await connection.rows(
                "SELECT failed_at FROM login_failure WHERE email = \(email) AND failed_at >= \(since.storedValue) ORDER BY failed_at",
                logger: database.logger
            ).map { try $0.date("failed_at") }
            guard failures.count < limit else { return failures }
            try await connection.run(
                "INSERT INTO login_failure (email, failed_at) VALUES (\(email), \(date.storedValue))", logger: database.logger
            )
            return nil
        }
    }

    func clearLoginFailures(email: String) async throws {
        _ = try await database.rows("DELETE FROM login_failure WHERE email = \(email)")
    }

    func activate(invitationTokenHash: String, name: String, passwordHash: String, at date: Date) async throws
        -> (Account, WorkspaceID)?
    {
        // The token names the workspace: it is found across all of them.
        try await database.transaction(.allWorkspaces) { connection -> (Account, WorkspaceID)? in
            guard
                let invitation = try await connection.rows(
                    """
                    SELECT i.workspace_id, i.account_id FROM invitation i JOIN account a ON a.id = i.account_id
                    WHERE i.token_hash = \(invitationTokenHash) AND i.expires_at > \(date.storedValue) AND a.status = 'pending'
                    FOR UPDATE OF a
                    """,
                    logger: database.logger
                ).first
            else { return nil }
            let accountID: AccountID = try invitation.identifier("account_id")
            let workspaceID: WorkspaceID = try invitation.identifier("workspace_id")
            try await connection.run(
                """
                UPDATE account SET name = \(name), password_hash = \(passwordHash), status = 'active',
                last_workspace_id = \(workspaceID.description), last_login_at = \(date.storedValue) WHERE id = \(accountID.description)
                """,
                logger: database.logger
            )
            try await connection.run("DELETE FROM invitation WHERE account_id = \(accountID.description)", logger: database.logger)
            let account = try await connection.rows(
                "SELECT \(unescaped: AccountColumns.select("a")) FROM account a WHERE a.id = \(accountID.description)",
                logger: database.logger
            ).first.map { try Account(row: $0) }
            return account.map { ($0, workspaceID) }
        }
    }

    private static func insertOwner(
        _ owner: NewAccount, of workspace: Workspace, at date: Date, _ connection: PostgresConnection, _ database: PostgresDatabase
    ) async throws {
        let inserted = try await connection.changes(
            """
            INSERT INTO account (id, email, name, password_hash, status, last_workspace_id, created_at)
            VALUES (\(owner.id.description), \(owner.email), \(owner.name), \(owner.passwordHash), 'active',
            \(workspace.id.description), \(date.storedValue))
            ON CONFLICT (email) DO NOTHING RETURNING id
            """,
            logger: database.logger
        )
        guard inserted == 1 else { throw RelayError.duplicateEmail }
        try await PostgresWorkspaceStore.insert(workspace, owner: owner.id, connection, database)
    }
}
