public import Core
public import Foundation

/// The workspaces an account belongs to: the current one, the list, creating another and switching.
public struct WorkspaceService: Sendable {
    let store: WorkspaceStore
    let sessions: SessionService
    let now: @Sendable () -> Date

    public init(store: WorkspaceStore, sessions: SessionService, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.sessions = sessions
        self.now = now
    }

    public func current(_ scope: WorkspaceScope) async throws -> WorkspaceMembership {
        guard let membership = try await store.membership(of: scope.accountID, in: scope.workspaceID) else {
            throw RelayError.notFound("Workspace \(scope.workspaceID) not found")
        }
        return membership
    }

    /// A workspace by id, whoever asks: for the operator, who belongs to none.
    public func find(_ id: WorkspaceID) async throws -> Workspace? {
        try await store.workspace(id)
    }

    public func list(for account: AccountID) async throws -> [WorkspaceMembership] {
        try await store.memberships(of: account)
    }

    /// Creates a workspace owned by `account`.
    public func create(named name: String, by account: AccountID) async throws -> WorkspaceMembership {
        let name = try TextRules.required(name, field: "name", maxLength: 100)
        let workspace = Workspace(id: WorkspaceID(), name: name, createdAt: now())
        try await store.createWorkspace(workspace, owner: account)
        return WorkspaceMembership(workspace: workspace, role: .owner)
    }

    /// Makes `workspace` the session's current one; 404 unless the caller is a member there.
    public func switchTo(
        _ workspace: WorkspaceID, for grant: ConsoleGrant
    ) async throws
        -> (membership: WorkspaceMembership, accessToken: String, expiresIn: Int)
    {
        guard let membership = try await store.membership(of: grant.account.id, in: workspace) else {
            throw RelayError.notFound("Workspace \(workspace) not found")
        }
        let token = try await sessions.move(grant, to: workspace)
        return (membership, token.accessToken, token.expiresIn)
    }
}
