import Foundation
import GRDB

struct SQLiteAccountStore: AccountStore {
    let writer: any DatabaseWriter

    func setupDate() async throws -> Date? {
        try await writer.read { db in
            try Double.fetchOne(db, sql: "SELECT completed_at FROM setup WHERE id = 1").map(Date.init(timeIntervalSince1970:))
        }
    }

    func completeSetup(owner: NewAccount, workspace: Workspace, at date: Date) async throws -> Bool {
        try await writer.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM setup") == 0 else { return false }
            try db.execute(sql: "INSERT INTO setup (id, completed_at) VALUES (1, ?)", arguments: [date.storedValue])
            try Self.insertOwner(owner, of: workspace, at: date, in: db)
            return true
        }
    }

    func register(_ account: NewAccount, workspace: Workspace, at date: Date) async throws {
        try await writer.write { db in try Self.insertOwner(account, of: workspace, at: date, in: db) }
    }

    func credential(email: String) async throws -> AccountCredential? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(AccountColumns.select("a")), a.password_hash, a.last_workspace_id FROM account a WHERE a.email = ?",
                arguments: [email]
            ).map { try AccountCredential(row: $0) }
        }
    }

    func recordLogin(_ account: AccountID, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE account SET last_login_at = ? WHERE id = ?", arguments: [date.storedValue, account.description])
        }
    }

    func claimLoginAttempt(email: String, since: Date, limit: Int, at date: Date) async throws -> [Date]? {
        try await writer.write { db in
            let failures = try Double.fetchAll(
                db, sql: "SELECT failed_at FROM login_failure WHERE email = ? AND failed_at >= ? ORDER BY failed_at",
                arguments: [email, since.storedValue]
            ).map(Date.init(timeIntervalSince1970:))
            guard failures.count < limit else { return failures }
            try db.execute(
                sql: "INSERT INTO login_failure (email, failed_at) VALUES (?, ?)", arguments: [email, date.storedValue]
            )
            return nil
        }
    }

    func clearLoginFailures(email: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM login_failure WHERE email = ?", arguments: [email])
        }
    }

    func activate(invitationTokenHash: String, name: String, passwordHash: String, at date: Date) async throws
        -> (Account, WorkspaceID)?
    {
        try await writer.write { db in
            guard
                let invitation = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT i.workspace_id, i.account_id FROM invitation i JOIN account a ON a.id = i.account_id
                        WHERE i.token_hash = ? AND i.expires_at > ? AND a.status = 'pending'
                        """,
                    arguments: [invitationTokenHash, date.storedValue]
                )
            else { return nil }
            let accountID: AccountID = try invitation.identifier("account_id")
            let workspaceID: WorkspaceID = try invitation.identifier("workspace_id")
            try db.execute(
                sql: """
                    UPDATE account SET name = ?, password_hash = ?, status = 'active', last_workspace_id = ?,
                    last_login_at = ? WHERE id = ?
                    """,
                arguments: [name, passwordHash, workspaceID.description, date.storedValue, accountID.description]
            )
            // Every invitation of this account is spent: it now signs in with its password.
            try db.execute(sql: "DELETE FROM invitation WHERE account_id = ?", arguments: [accountID.description])
            let account = try Row.fetchOne(
                db, sql: "SELECT \(AccountColumns.select("a")) FROM account a WHERE a.id = ?", arguments: [accountID.description]
            ).map { try Account(row: $0) }
            return account.map { ($0, workspaceID) }
        }
    }

    private static func insertOwner(_ owner: NewAccount, of workspace: Workspace, at date: Date, in db: Database) throws {
        do {
            try db.execute(
                sql: """
                    INSERT INTO account (id, email, name, password_hash, status, last_workspace_id, created_at)
                    VALUES (?, ?, ?, ?, 'active', ?, ?)
                    """,
                arguments: [owner.id.description, owner.email, owner.name, owner.passwordHash, workspace.id.description, date.storedValue]
            )
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw RelayError.duplicateEmail
        }
        try SQLiteWorkspaceStore.insert(workspace, owner: owner.id, in: db)
    }
}
