/// Who is asking, in which workspace, with which role: every workspace-owned operation takes one.
public struct WorkspaceScope: Sendable, Equatable {
    public let accountID: AccountID
    public let workspaceID: WorkspaceID
    public let role: Role
    public let sessionID: SessionID

    public init(accountID: AccountID, workspaceID: WorkspaceID, role: Role, sessionID: SessionID) {
        self.accountID = accountID
        self.workspaceID = workspaceID
        self.role = role
        self.sessionID = sessionID
    }

    /// Throws `access_denied` unless `allowed` holds for the caller's role.
    public func require(_ allowed: (Role) -> Bool, _ message: String) throws {
        guard allowed(role) else { throw RelayError.accessDenied(message) }
    }
}
