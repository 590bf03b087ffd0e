import Foundation
import GRDB

struct SQLiteWorkspaceStore: WorkspaceStore {
    let writer: any DatabaseWriter

    func memberships(of account: AccountID) async throws -> [WorkspaceMembership] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(WorkspaceColumns.select("w")), m.role FROM membership m JOIN workspace w ON w.id = m.workspace_id
                    WHERE m.account_id = ? ORDER BY w.created_at, w.id
                    """,
                arguments: [account.description]
            ).map { try WorkspaceMembership(row: $0) }
        }
    }

    func membership(of account: AccountID, in workspace: WorkspaceID) async throws -> WorkspaceMembership? {
        try await writer.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT \(WorkspaceColumns.select("w")), m.role FROM membership m JOIN workspace w ON w.id = m.workspace_id
                    WHERE m.account_id = ? AND m.workspace_id = ?
                    """,
                arguments: [account.description, workspace.description]
            ).map { try WorkspaceMembership(row: $0) }
        }
    }

    func createWorkspace(_ workspace: Workspace, owner: AccountID) async throws {
        try await writer.write { db in try Self.insert(workspace, owner: owner, in: db) }
    }

    func members(of workspace: WorkspaceID) async throws -> [Member] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(AccountColumns.select("a")), m.role, m.created_at AS joined_at
                    FROM membership m JOIN account a ON a.id = m.account_id
                    WHERE m.workspace_id = ? ORDER BY m.created_at, a.email
                    """,
                arguments: [workspace.description]
            ).map { try Member(row: $0) }
        }
    }

    func invite(
        email: String, role: Role, to workspace: WorkspaceID, invitationTokenHash: String, expiresAt: Date, at date: Date
    ) async throws -> InvitationOutcome {
        try await writer.write { db in
            let account: Account
            if let existing = try Row.fetchOne(
                db, sql: "SELECT \(AccountColumns.select("a")) FROM account a WHERE a.email = ?", arguments: [email]
            ).map({ try Account(row: $0) }) {
                let isMember = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM membership WHERE workspace_id = ? AND account_id = ?",
                    arguments: [workspace.description, existing.id.description]
                ) ?? 0
                if isMember > 0 { return .alreadyMember }
                account = existing
            } else {
                let pending = Account(id: AccountID(), email: email, name: "", status: .pending, createdAt: date)
                try db.execute(
                    sql: "INSERT INTO account (id, email, name, status, created_at) VALUES (?, ?, ?, 'pending', ?)",
                    arguments: [pending.id.description, email, pending.name, date.storedValue]
                )
                account = pending
            }
            try SQLitePlanStore.requireRoom(
                for: "members", \.members, in: workspace, counting: { try SQLitePlanStore.memberCount(workspace, $0) }, db
            )
            try db.execute(
                sql: "INSERT INTO membership (workspace_id, account_id, role, created_at) VALUES (?, ?, ?, ?)",
                arguments: [workspace.description, account.id.description, role.rawValue, date.storedValue]
            )
            guard account.status == .pending else { return .added(account) }
            try db.execute(
                sql: "INSERT INTO invitation (token_hash, workspace_id, account_id, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [invitationTokenHash, workspace.description, account.id.description, expiresAt.storedValue]
            )
            return .invited(account)
        }
    }

    func changeRole(of account: AccountID, to role: Role, in workspace: WorkspaceID) async throws -> MembershipChange {
        try await writer.write { db in
            guard let current = try Self.role(of: account, in: workspace, db) else { return .notMember }
            if current == .owner, role != .owner, try Self.ownerCount(workspace, db) <= 1 { return .lastOwner }
            try db.execute(
                sql: "UPDATE membership SET role = ? WHERE workspace_id = ? AND account_id = ?",
                arguments: [role.rawValue, workspace.description, account.description]
            )
            return .done
        }
    }

    func removeMember(_ account: AccountID, from workspace: WorkspaceID) async throws -> MembershipChange {
        try await writer.write { db in
            guard let current = try Self.role(of: account, in: workspace, db) else { return .notMember }
            if current == .owner, try Self.ownerCount(workspace, db) <= 1 { return .lastOwner }
            try db.execute(
                sql: "DELETE FROM membership WHERE workspace_id = ? AND account_id = ?", arguments: [workspace.description, account.description]
            )
            try db.execute(
                sql: "DELETE FROM invitation WHERE workspace_id = ? AND account_id = ?", arguments: [workspace.description, account.description]
            )
            return .done
        }
    }

    static func insert(_ workspace: Workspace, owner: AccountID, in db: Database) throws {
        try db.execute(
            sql: "INSERT INTO workspace (id, name, plan, status, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [workspace.id.description, workspace.name, workspace.plan, workspace.status, workspace.createdAt.storedValue]
        )
        try db.execute(
            sql: "INSERT INTO membership (workspace_id, account_id, role, created_at) VALUES (?, ?, 'owner', ?)",
            arguments: [workspace.id.description, owner.description, workspace.createdAt.storedValue]
        )
    }

    private static func role(of account: AccountID, in workspace: WorkspaceID, _ db: Database) throws -> Role? {
        try String.fetchOne(
            db, sql: "SELECT role FROM membership WHERE workspace_id = ? AND account_id = ?", arguments: [workspace.description, account.description]
        ).flatMap(Role.init(rawValue:))
    }

    private static func ownerCount(_ workspace: WorkspaceID, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM membership WHERE workspace_id = ? AND role = 'owner'", arguments: [workspace.description]
        ) ?? 0
    }
}
