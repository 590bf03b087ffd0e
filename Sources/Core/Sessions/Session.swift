public import Foundation

/// A signed-in console session: the family of refresh tokens issued from one login.
///
/// Access tokens name their session; ending it (logout, or a refresh token presented twice) ends them all.
public struct Session: Sendable, Equatable {
    public let id: SessionID
    public let accountID: AccountID
    public var workspaceID: WorkspaceID
    /// How long each refresh token of this session lives: longer when the user asked to be remembered.
    public let refreshTokenLifetime: TimeInterval

    public init(id: SessionID, accountID: AccountID, workspaceID: WorkspaceID, refreshTokenLifetime: TimeInterval) {
        self.id = id
        self.accountID = accountID
        self.workspaceID = workspaceID
        self.refreshTokenLifetime = refreshTokenLifetime
    }
}

/// The outcome of presenting a refresh token.
public enum RefreshTokenUse: Sendable, Equatable {
    /// The token was live: it is now spent and its successor stored.
    case rotated(Session)
    /// The token had been spent before: its whole session is now revoked.
    case reused
    case unknown
    case expired
}

/// What a console request's bearer resolves to, read in one go: the live session and the caller's membership.
public struct ConsoleGrant: Sendable, Equatable {
    public let account: Account
    public let sessionID: SessionID
    /// The workspace the access token was issued for.
    public let workspaceID: WorkspaceID
    /// `nil` when the account is not (or no longer) a member of that workspace.
    public let role: Role?

    public init(account: Account, sessionID: SessionID, workspaceID: WorkspaceID, role: Role?) {
        self.account = account
        self.sessionID = sessionID
        self.workspaceID = workspaceID
        self.role = role
    }
}
