public import Foundation

/// An account to create, its password already hashed.
public struct NewAccount: Sendable {
    public let id: AccountID
    public let email: String
    public let name: String
    public let passwordHash: String

    public init(id: AccountID = AccountID(), email: String, name: String, passwordHash: String) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
    }
}

/// Storage of accounts, first-run setup, sign-in failures and invitations.
public struct AccountStore: Sendable {
    let database: SQLDatabase

    /// When first-run setup finished, or `nil` before it.
    public func setupDate() async throws -> Date? {
        try await database.autocommit(readOnly: true) { transaction in
            try await transaction.row("SELECT completed_at FROM setup WHERE id = 1").map { try $0.date("completed_at") }
        }
    }

    /// Records setup and creates its owner and workspace in one transaction; `false` when setup had already happened.
    public func completeSetup(owner: NewAccount, workspace: Workspace, at date: Date) async throws -> Bool {
        try await database.write(.workspace(workspace.id)) { transaction in
            // The row with id 1 is setup's lock: a second setup waits here for the first and then finds it done.
            let claimed = try await transaction.changes(
                "INSERT INTO setup (id, completed_at) VALUES (1, \(date)) ON CONFLICT (id) DO NOTHING RETURNING id")
            guard claimed == 1 else { return false }
            try await Self.insertOwner(owner, of: workspace, at: date, transaction)
            return true
        }
    }

    /// Creates an account owning a new workspace; throws `invalid_param` on `email` when the address is taken.
    public func register(_ account: NewAccount, workspace: Workspace, at date: Date) async throws {
        try await database.write(.workspace(workspace.id)) { transaction in
            try await Self.insertOwner(account, of: workspace, at: date, transaction)
        }
    }

    /// The account with this (normalised) e-mail address and its password hash.
    public func credential(email: String) async throws -> AccountCredential? {
        try await database.autocommit(readOnly: true) { transaction in
            try await transaction.row(
                """
                SELECT \(unescaped: AccountColumns.select("a")), a.password_hash, a.last_workspace_id FROM account a
                WHERE a.email = \(email)
                """
            ).map(AccountCredential.init(row:))
        }
    }

    /// The account's time zone (an IANA name), in which the console's statistics cut their days.
    public func timeZone(of account: AccountID) async throws -> String {
        try await database.autocommit(readOnly: true) { transaction in
            try await transaction.row("SELECT timezone FROM account WHERE id = \(account)").map { try $0.string("timezone") } ?? "UTC"
        }
    }

    public func setTimeZone(_ name: String, of account: AccountID) async throws {
        try await database.autocommit { transaction in
            try await transaction.execute("UPDATE account SET timezone = \(name) WHERE id = \(account)")
        }
    }

    public func recordLogin(_ account: AccountID, at date: Date) async throws {
        try await database.autocommit { transaction in
            try await transaction.execute("UPDATE account SET last_login_at = \(date) WHERE id = \(account)")
        }
    }

    /// Claims a sign-in attempt from `client`, counted as failed until `clearLoginFailures` says it succeeded.
    /// Atomically: reads that client's latest `recent` failures on the address at or after `since` (oldest first); when
    /// `waitFor` asks no wait, records a failure at `date` and returns `nil`, otherwise records nothing and returns the
    /// wait. So parallel guesses cannot slip past the throttle.
    public func claimLoginAttempt(
        email: String, client: String, since: Date, recent: Int, at date: Date, waitFor: @escaping @Sendable ([Date]) -> TimeInterval?
    ) async throws -> TimeInterval? {
        try await database.write(.none) { transaction in
            // Attempts on one address take turns, so parallel guesses cannot all see room under the limit.
            try await transaction.lock(email)
            let failures = try await transaction.rows(
                """
                SELECT failed_at FROM login_failure WHERE email = \(email) AND client = \(client) AND failed_at >= \(since)
                ORDER BY failed_at DESC LIMIT \(recent)
                """
            ).map { try $0.date("failed_at") }.reversed()
            if let wait = waitFor(Array(failures)) { return wait }
            try await transaction.execute(
                "INSERT INTO login_failure (email, client, failed_at) VALUES (\(email), \(client), \(date))")
            // What has left the window is of no more use.
            try await transaction.execute("DELETE FROM login_failure WHERE email = \(email) AND failed_at < \(since)")
            return nil
        }
    }

    public func clearLoginFailures(email: String, client: String) async throws {
        try await database.autocommit { transaction in
            try await transaction.execute("DELETE FROM login_failure WHERE email = \(email) AND client = \(client)")
        }
    }

    /// Sets the password and name of the pending account invited with this token and spends the token.
    /// Returns the account and the workspace it was invited to; `nil` for an unknown, spent or expired token.
    public func activate(
        invitationTokenHash: String, name: String, passwordHash: String, at date: Date
    ) async throws
        -> (Account, WorkspaceID)?
    {
        // The token names the workspace: it is found across all of them.
        try await database.write(.allWorkspaces) { transaction -> (Account, WorkspaceID)? in
            guard
                let invitation = try await transaction.rows(
                    """
                    SELECT i.workspace_id, i.account_id FROM invitation i JOIN account a ON a.id = i.account_id
                    WHERE i.token_hash = \(invitationTokenHash) AND i.expires_at > \(date) AND a.status = 'pending'
                    \(SQL.forUpdate(of: "a"))
                    """
                ).first
            else { return nil }
            let accountID: AccountID = try invitation.identifier("account_id")
            let workspaceID: WorkspaceID = try invitation.identifier("workspace_id")
            try await transaction.execute(
                """
                UPDATE account SET name = \(name), password_hash = \(passwordHash), status = 'active',
                last_workspace_id = \(workspaceID), last_login_at = \(date) WHERE id = \(accountID)
                """)
            try await transaction.execute("DELETE FROM invitation WHERE account_id = \(accountID)")
            let account = try await transaction.rows(
                "SELECT \(unescaped: AccountColumns.select("a")) FROM account a WHERE a.id = \(accountID)"
            ).first.map { try Account(row: $0) }
            return account.map { ($0, workspaceID) }
        }
    }

    private static func insertOwner(
        _ owner: NewAccount, of workspace: Workspace, at date: Date, _ transaction: SQLTransaction
    ) async throws {
        let inserted = try await transaction.changes(
            """
            INSERT INTO account (id, email, name, password_hash, status, last_workspace_id, created_at)
            VALUES (\(owner.id), \(owner.email), \(owner.name), \(owner.passwordHash), 'active',
            \(workspace.id), \(date))
            ON CONFLICT (email) DO NOTHING RETURNING id
            """)
        guard inserted == 1 else { throw RelayError.duplicateEmail }
        try await WorkspaceStore.insert(workspace, owner: owner.id, transaction)
    }
}

enum AccountColumns {
    static func select(_ alias: String, prefix: String = "") -> String {
        ["id", "email", "name", "status", "created_at", "last_login_at"]
            .map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }
}

extension Account {
    init(row: StoredRow, prefix: String = "") throws {
        self.init(
            id: try row.identifier(prefix + "id"), email: try row.string(prefix + "email"), name: try row.string(prefix + "name"),
            status: Account.Status(rawValue: try row.string(prefix + "status")) ?? .pending,
            createdAt: try row.date(prefix + "created_at"), lastLoginAt: try row.optionalDate(prefix + "last_login_at")
        )
    }
}

extension AccountCredential {
    /// A row of the account's columns, `password_hash` and `last_workspace_id`.
    init(row: StoredRow) throws {
        self.init(
            account: try Account(row: row), passwordHash: try row.optionalString("password_hash"),
            lastWorkspaceID: try row.optionalIdentifier("last_workspace_id")
        )
    }
}
