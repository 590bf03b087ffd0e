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
public protocol AccountStore: Sendable {
    /// When first-run setup finished, or `nil` before it.
    func setupDate() async throws -> Date?
    /// Records setup and creates its owner and workspace in one transaction; `false` when setup had already happened.
    func completeSetup(owner: NewAccount, workspace: Workspace, at date: Date) async throws -> Bool
    /// Creates an account owning a new workspace; throws `invalid_param` on `email` when the address is taken.
    func register(_ account: NewAccount, workspace: Workspace, at date: Date) async throws
    /// The account with this (normalised) e-mail address and its password hash.
    func credential(email: String) async throws -> AccountCredential?
    func recordLogin(_ account: AccountID, at date: Date) async throws

    /// Claims a sign-in attempt, counted as failed until `clearLoginFailures` says it succeeded. Atomically: when fewer
    /// than `limit` failures are recorded at or after `since`, records one at `date` and returns `nil`; otherwise records
    /// nothing and returns those failures, oldest first. So parallel guesses cannot get past the limit.
    func claimLoginAttempt(email: String, since: Date, limit: Int, at date: Date) async throws -> [Date]?
    func clearLoginFailures(email: String) async throws

    /// Sets the password and name of the pending account invited with this token and spends the token.
    /// Returns the account and the workspace it was invited to; `nil` for an unknown, spent or expired token.
    func activate(invitationTokenHash: String, name: String, passwordHash: String, at date: Date) async throws
        -> (Account, WorkspaceID)?
}

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
public protocol WorkspaceStore: Sendable {
    func memberships(of account: AccountID) async throws -> [WorkspaceMembership]
    func membership(of account: AccountID, in workspace: WorkspaceID) async throws -> WorkspaceMembership?
    func createWorkspace(_ workspace: Workspace, owner: AccountID) async throws
    func members(of workspace: WorkspaceID) async throws -> [Member]
    /// Adds the account with this e-mail address, creating a pending account with an invitation when there is none.
    func invite(
        email: String, role: Role, to workspace: WorkspaceID, invitationTokenHash: String, expiresAt: Date, at date: Date
    ) async throws -> InvitationOutcome
    /// Changes a member's role; refuses to leave the workspace without an owner, atomically.
    func changeRole(of account: AccountID, to role: Role, in workspace: WorkspaceID) async throws -> MembershipChange
    /// Removes a member; refuses to remove the last owner, atomically.
    func removeMember(_ account: AccountID, from workspace: WorkspaceID) async throws -> MembershipChange
}

/// Storage of console sessions and their refresh tokens (only hashes).
public protocol SessionStore: Sendable {
    func createSession(_ session: Session, refreshTokenHash: String, at date: Date) async throws
    /// Spends a live refresh token and stores its successor in one transaction; a spent one revokes its session.
    func useRefreshToken(hash: String, successorHash: String, at date: Date) async throws -> RefreshTokenUse
    func revokeSession(_ id: SessionID, at date: Date) async throws
    /// Makes `workspace` the one the session's refreshed tokens are for, and the account's last one.
    func moveSession(_ id: SessionID, to workspace: WorkspaceID) async throws
    /// The caller's role in `workspace` if the session is live and the account active; `nil` otherwise.
    func consoleGrant(account: AccountID, session: SessionID, workspace: WorkspaceID) async throws -> ConsoleGrant?
}

/// Storage of API keys (only hashes of their secrets).
public protocol APIKeyStore: Sendable {
    /// Live keys of one app, oldest first.
    func appKeys(of app: AppID, in workspace: WorkspaceID) async throws -> [APIKey]
    /// Live keys of the workspace that belong to no app (workspace or dataset keys), oldest first.
    func workspaceKeys(of kind: APIKey.Kind, in workspace: WorkspaceID) async throws -> [APIKey]
    /// Stores the key unless its owner (app, or workspace for workspace keys) already has `limit` live keys.
    func insert(_ key: APIKey, secretHash: String, limit: Int) async throws -> Bool
    /// Revokes a live key of this workspace (and app, for app keys). `false` when there is no such key.
    func revoke(_ id: APIKeyID, kind: APIKey.Kind, app: AppID?, in workspace: WorkspaceID, at date: Date) async throws -> Bool
    /// Finds a presented key by its hash, with its app (or the app `requestedApp` names, for workspace keys),
    /// and notes when it was last used.
    func lookup(secretHash: String, requestedApp: AppID?, at date: Date) async throws -> APIKeyLookup?
}
