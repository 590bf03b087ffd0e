import Foundation
import PostgresNIO

struct PostgresWorkspaceStore: WorkspaceStore {
    let database: PostgresDatabase

    func memberships(of account: AccountID) async throws -> [WorkspaceMembership] {
        // An account's own workspaces, whichever they are.
        try await database.transaction(.allWorkspaces) { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: WorkspaceColumns.select("w")), m.role FROM membership m JOIN workspace w ON w.id = m.workspace_id
                WHERE m.account_id = \(account.description) ORDER BY w.created_at, w.id
                """,
                logger: database.logger
            ).map { try WorkspaceMembership(row: $0) }
        }
    }

    func membership(of account: AccountID, in workspace: WorkspaceID) async throws -> WorkspaceMembership? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: WorkspaceColumns.select("w")), m.role FROM membership m JOIN workspace w ON w.id = m.workspace_id
                WHERE m.account_id = \(account.description) AND m.workspace_id = \(workspace.description)
                """,
                logger: database.logger
            ).first.map { try WorkspaceMembership(row: $0) }
        }
    }

    func createWorkspace(_ workspace: Workspace, owner: AccountID) async throws {
        try await database.transaction(.workspace(workspace.id)) { connection in
            try await Self.insert(workspace, owner: owner, connection, database)
        }
    }

    func members(of workspace: WorkspaceID) async throws -> [Member] {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: AccountColumns.select("a")), m.role, m.created_at AS joined_at
                FROM membership m JOIN account a ON a.id = m.account_id
                WHERE m.workspace_id = \(workspace.description) ORDER BY m.created_at, a.email
                """,
                logger: database.logger
            ).map { try Member(row: $0) }
        }
    }

    func invite(
        email: String, role: Role, to workspace: WorkspaceID, invitationTokenHash: String, expiresAt: Date, at date: Date
    ) async throws -> InvitationOutcome {
        try await database.transaction(.workspace(workspace)) { connection in
            try await PostgresPlanStore.lockWorkspace(workspace, connection, database)
            // A pending account for a new address; two workspaces inviting it at once both end up with the same one.
            try await connection.run(
                """
                INSERT INTO account (id, email, name, status, created_at)
                VALUES (\(AccountID().description), \(email), '', 'pending', \(date.storedValue)) ON CONFLICT (email) DO NOTHING
                """,
                logger: database.logger
            )
            guard
                let account = try await connection.rows(
                    "SELECT \(unescaped: AccountColumns.select("a")) FROM account a WHERE a.email = \(email)", logger: database.logger
                ).first.map({ try Account(row: $0) })
            else { throw RelayError.internalError(StoredValueError(column: "account.email", value: email)) }
            let isMember = try await connection.rows(
                "SELECT 1 FROM membership WHERE workspace_id = \(workspace.description) AND account_id = \(account.id.description)",
                logger: database.logger
            )
            if !isMember.isEmpty { return .alreadyMember }
            try await PostgresPlanStore.requireRoom(
                for: "members", \.members, in: workspace, count: "SELECT COUNT(*) AS n FROM membership WHERE workspace_id = \(workspace.description)",
                connection, database
            )
            try await connection.run(
                """
                INSERT INTO membership (workspace_id, account_id, role, created_at)
                VALUES (\(workspace.description), \(account.id.description), \(role.rawValue), \(date.storedValue))
                """,
                logger: database.logger
            )
            guard account.status == .pending else { return .added(account) }
            try await connection.run(
                """
                INSERT INTO invitation (token_hash, workspace_id, account_id, expires_at)
                VALUES (\(invitationTokenHash), \(workspace.description), \(account.id.description), \(expiresAt.storedValue))
                """,
                logger: database.logger
            )
            return .invited(account)
        }
    }

    func changeRole(of account: AccountID, to role: Role, in workspace: WorkspaceID) async throws -> MembershipChange {
        try await database.transaction(.workspace(workspace)) { connection in
            try await PostgresPlanStore.lockWorkspace(workspace, connection, database)
            guard let current = try await Self.role(of: account, in: workspace, connection, database) else { return .notMember }
            if current == .owner, role != .owner, try await Self.ownerCount(workspace, connection, database) <= 1 { return .lastOwner }
            try await connection.run(
                """
                UPDATE membership SET role = \(role.rawValue)
                WHERE workspace_id = \(workspace.description) AND account_id = \(account.description)
                """,
                logger: database.logger
            )
            return .done
        }
    }

    func removeMember(_ account: AccountID, from workspace: WorkspaceID) async throws -> MembershipChange {
        try await database.transaction(.workspace(workspace)) { connection in
            try await PostgresPlanStore.lockWorkspace(workspace, connection, database)
            guard let current = try await Self.role(of: account, in: workspace, connection, database) else { return .notMember }
            if current == .owner, try await Self.ownerCount(workspace, connection, database) <= 1 { return .lastOwner }
            try await connection.run(
                "DELETE FROM membership WHERE workspace_id = \(workspace.description) AND account_id = \(account.description)",
                logger: database.logger
            )
            try await connection.run(
                "DELETE FROM invitation WHERE workspace_id = \(workspace.description) AND account_id = \(account.description)",
                logger: database.logger
            )
            return .done
        }
    }

    static func insert(_ workspace: Workspace, owner: AccountID, _ connection: PostgresConnection, _ database: PostgresDatabase)
        async throws
    {
        try await connection.run(
            """
            INSERT INTO workspace (id, name, plan, status, created_at)
            VALUES (\(workspace.id.description), \(workspace.name), \(workspace.plan), \(workspace.status), \(workspace.createdAt.storedValue))
            """,
            logger: database.logger
        )
        try await connection.run(
            """
            INSERT INTO membership (workspace_id, account_id, role, created_at)
            VALUES (\(workspace.id.description), \(owner.description), 'owner', \(workspace.createdAt.storedValue))
            """,
            logger: database.logger
        )
    }

    private static func role(of account: AccountID, in workspace: WorkspaceID, _ connection: PostgresConnection, _ database: PostgresDatabase)
        async throws -> Role?
    {
        try await connection.rows(
            "SELECT role FROM membership WHERE workspace_id = \(workspace.description) AND account_id = \(account.description)",
            logger: database.logger
        ).first.flatMap { Role(rawValue: try $0.string("role")) }
    }

    private static func ownerCount(_ workspace: WorkspaceID, _ connection: PostgresConnection, _ database: PostgresDatabase) async throws
        -> Int
    {
        try await connection.rows(
            "SELECT COUNT(*) AS n FROM membership WHERE workspace_id = \(workspace.description) AND role = 'owner'",
            logger: database.logger
        ).first?.int("n") ?? 0
    }
}
