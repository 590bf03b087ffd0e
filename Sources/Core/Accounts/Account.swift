public import Foundation

/// A person who signs in to the console. `pending` accounts were invited and have not chosen a password yet.
public struct Account: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case active
        case pending
    }

    public let id: AccountID
    public var email: String
    public var name: String
    public var status: Status
    public var createdAt: Date
    public var lastLoginAt: Date?

    public init(id: AccountID, email: String, name: String, status: Status, createdAt: Date, lastLoginAt: Date? = nil) {
        self.id = id
        self.email = email
        self.name = name
        self.status = status
        self.createdAt = createdAt
        self.lastLoginAt = lastLoginAt
    }
}

/// An account with its stored password hash, for sign-in only; never leaves the account service.
public struct AccountCredential: Sendable {
    public let account: Account
    public let passwordHash: String?
    public let lastWorkspaceID: WorkspaceID?

    public init(account: Account, passwordHash: String?, lastWorkspaceID: WorkspaceID?) {
        self.account = account
        self.passwordHash = passwordHash
        self.lastWorkspaceID = lastWorkspaceID
    }
}
