public import Foundation

/// What inviting an e-mail address to a workspace did.
public enum InvitationOutcome: Sendable, Equatable {
    /// An active account became a member at once.
    case added(Account)
    /// A pending account (new, or invited elsewhere before) became a member and must activate with the token.
    case invited(Account)
    case alreadyMember
}

/// What a change to a membership did.
public enum MembershipChange: Sendable, Equatable {
    case done
    case notMember
    /// Refused: the workspace would be left without an owner.
    case lastOwner
}

/// Storage of workspaces and their memberships.
public struct WorkspaceStore: Sendable {
    let database: SQLDatabase

    public func memberships(of account: AccountID) async throws -> [WorkspaceMembership] {
        // An account's own workspaces, whichever they are.
        try await database.read(.allWorkspaces) { transaction in
            try await transaction.rows(
                """
                SELECT \(unescaped: WorkspaceColumns.select("w")), m.role FROM membership m JOIN workspace w ON w.id = m.workspace_id
                WHERE m.account_id = \(account) ORDER BY w.created_at, w.id
                """
            ).map { try WorkspaceMembership(row: $0) }
        }
    }

    public func membership(of account: AccountID, in workspace: WorkspaceID) async throws -> WorkspaceMembership? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT \(unescaped: WorkspaceColumns.select("w")), m.role FROM membership m JOIN workspace w ON w.id = m.workspace_id
                WHERE m.account_id = \(account) AND m.workspace_id = \(workspace)
                """
            ).first.map { try WorkspaceMembership(row: $0) }
        }
    }

    public func workspace(_ id: WorkspaceID) async throws -> Workspace? {
        try await database.read(.workspace(id)) { transaction in
            try await transaction.row("SELECT \(unescaped: WorkspaceColumns.select("w")) FROM workspace w WHERE w.id = \(id)").map {
                try Workspace(row: $0)
            }
        }
    }

    public func createWorkspace(_ workspace: Workspace, owner: AccountID) async throws {
        try await database.write(.workspace(workspace.id)) { transaction in
            try await Self.insert(workspace, owner: owner, transaction)
        }
    }

    public func members(of workspace: WorkspaceID) async throws -> [Member] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT \(unescaped: AccountColumns.select("a")), m.role, m.created_at AS joined_at
                FROM membership m JOIN account a ON a.id = m.account_id
                WHERE m.workspace_id = \(workspace) ORDER BY m.created_at, a.email
                """
            ).map { try Member(row: $0) }
        }
    }

    /// Adds the account with this e-mail address, creating a pending account with an invitation when there is none.
    public func invite(
        email: String, role: Role, to workspace: WorkspaceID, invitationTokenHash: String, expiresAt: Date, at date: Date
    ) async throws -> InvitationOutcome {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.lockWorkspace(workspace)
            // A pending account for a new address; two workspaces inviting it at once both end up with the same one.
            try await transaction.execute(
                """
                INSERT INTO account (id, email, name, status, created_at)
                VALUES (\(AccountID().description), \(email), '', 'pending', \(date)) ON CONFLICT (email) DO NOTHING
                """)
            guard
                let account = try await transaction.rows(
                    "SELECT \(unescaped: AccountColumns.select("a")) FROM account a WHERE a.email = \(email)"
                ).first.map({ try Account(row: $0) })
            else { throw RelayError.internalError(StoredValueError(column: "account.email", value: email)) }
            let isMember = try await transaction.rows(
                "SELECT 1 FROM membership WHERE workspace_id = \(workspace) AND account_id = \(account.id)")
            if !isMember.isEmpty { return .alreadyMember }
            try await PlanStore.requireRoom(
                for: "members", \.members, in: workspace, count: "SELECT COUNT(*) AS n FROM membership WHERE workspace_id = \(workspace)", transaction
            )
            try await transaction.execute(
                """
                INSERT INTO membership (workspace_id, account_id, role, created_at)
                VALUES (\(workspace), \(account.id), \(role.rawValue), \(date))
                """)
            guard account.status == .pending else { return .added(account) }
            try await transaction.execute(
                """
                INSERT INTO invitation (token_hash, workspace_id, account_id, expires_at)
                VALUES (\(invitationTokenHash), \(workspace), \(account.id), \(expiresAt))
                """)
            return .invited(account)
        }
    }

    /// Changes a member's role; refuses to leave the workspace without an owner, atomically.
    public func changeRole(of account: AccountID, to role: Role, in workspace: WorkspaceID) async throws -> MembershipChange {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.lockWorkspace(workspace)
            guard let current = try await Self.role(of: account, in: workspace, transaction) else { return .notMember }
            if current == .owner, role != .owner, try await Self.ownerCount(workspace, transaction) <= 1 { return .lastOwner }
            try await transaction.execute(
                """
                UPDATE membership SET role = \(role.rawValue)
                WHERE workspace_id = \(workspace) AND account_id = \(account)
                """)
            return .done
        }
    }

    /// Removes a member; refuses to remove the last owner, atomically.
    public func removeMember(_ account: AccountID, from workspace: WorkspaceID) async throws -> MembershipChange {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.lockWorkspace(workspace)
            guard let current = try await Self.role(of: account, in: workspace, transaction) else { return .notMember }
            if current == .owner, try await Self.ownerCount(workspace, transaction) <= 1 { return .lastOwner }
            try await transaction.execute(
                "DELETE FROM membership WHERE workspace_id = \(workspace) AND account_id = \(account)")
            try await transaction.execute(
                "DELETE FROM invitation WHERE workspace_id = \(workspace) AND account_id = \(account)")
            return .done
        }
    }

    static func insert(
        _ workspace: Workspace, owner: AccountID, _ transaction: SQLTransaction
    )
        async throws
    {
        try await transaction.execute(
            """
            INSERT INTO workspace (id, name, plan, status, created_at)
            VALUES (\(workspace.id), \(workspace.name), \(workspace.plan), \(workspace.status), \(workspace.createdAt))
            """)
        try await transaction.execute(
            """
            INSERT INTO membership (workspace_id, account_id, role, created_at)
            VALUES (\(workspace.id), \(owner), 'owner', \(workspace.createdAt))
            """)
    }

    private static func role(
        of account: AccountID, in workspace: WorkspaceID, _ transaction: SQLTransaction
    )
        async throws -> Role?
    {
        try await transaction.rows(
            "SELECT role FROM membership WHERE workspace_id = \(workspace) AND account_id = \(account)"
        ).first.flatMap { Role(rawValue: try $0.string("role")) }
    }

    private static func ownerCount(
        _ workspace: WorkspaceID, _ transaction: SQLTransaction
    ) async throws
        -> Int
    {
        try await transaction.rows(
            "SELECT COUNT(*) AS n FROM membership WHERE workspace_id = \(workspace) AND role = 'owner'"
        ).first?.int("n") ?? 0
    }
}

enum WorkspaceColumns {
    static func select(_ alias: String, prefix: String = "") -> String {
        ["id", "name", "plan", "status", "created_at"].map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }
}

extension Workspace {
    init(row: StoredRow, prefix: String = "") throws {
        self.init(
            id: try row.identifier(prefix + "id"), name: try row.string(prefix + "name"), plan: try row.string(prefix + "plan"),
            status: try row.string(prefix + "status"), createdAt: try row.date(prefix + "created_at")
        )
    }
}

extension WorkspaceMembership {
    init(row: StoredRow) throws {
        self.init(workspace: try Workspace(row: row), role: Role(rawValue: try row.string("role")) ?? .normal)
    }
}

extension Member {
    init(row: StoredRow) throws {
        self.init(
            account: try Account(row: row), role: Role(rawValue: try row.string("role")) ?? .normal, joinedAt: try row.date("joined_at")
        )
    }
}
