public import Foundation

/// A tenant: everything a customer owns (apps, keys, members) belongs to exactly one workspace.
public struct Workspace: Sendable, Equatable {
    public let id: WorkspaceID
    public var name: String
    public var plan: String
    public var status: String
    public var createdAt: Date

    public init(id: WorkspaceID, name: String, plan: String = "sandbox", status: String = "normal", createdAt: Date) {
        self.id = id
        self.name = name
        self.plan = plan
        self.status = status
        self.createdAt = createdAt
    }
}

/// A workspace as one of its members sees it.
public struct WorkspaceMembership: Sendable, Equatable {
    public let workspace: Workspace
    public let role: Role

    public init(workspace: Workspace, role: Role) {
        self.workspace = workspace
        self.role = role
    }
}

/// A member of a workspace as listed to its other members.
public struct Member: Sendable, Equatable {
    public let account: Account
    public let role: Role
    public let joinedAt: Date

    public init(account: Account, role: Role, joinedAt: Date) {
        self.account = account
        self.role = role
        self.joinedAt = joinedAt
    }
}
