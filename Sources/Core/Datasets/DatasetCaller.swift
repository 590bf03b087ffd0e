/// Who is working on a workspace's datasets: a member through the console, or a dataset API key.
public struct DatasetCaller: Sendable, Equatable {
    public let workspaceID: WorkspaceID
    /// `nil` for an API key, which acts for the whole workspace (as in Dify) and sees every dataset.
    public let account: AccountID?
    public let role: Role?

    public static func member(_ scope: WorkspaceScope) -> DatasetCaller {
        DatasetCaller(workspaceID: scope.workspaceID, account: scope.accountID, role: scope.role)
    }

    public static func apiKey(of workspace: WorkspaceID) -> DatasetCaller {
        DatasetCaller(workspaceID: workspace, account: nil, role: nil)
    }

    /// Editors and up make and change datasets; a key may do everything.
    var canEdit: Bool { role.map(\.canEditApps) ?? true }

    func requireEditor(_ action: String) throws {
        guard canEdit else { throw RelayError.accessDenied("Only editors, admins and owners can \(action)") }
    }
}
