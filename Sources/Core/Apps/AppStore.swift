/// Storage of apps. Every method is scoped by workspace: an app of another workspace is indistinguishable from none.
public protocol AppStore: Sendable {
    func apps(in workspace: WorkspaceID, matching query: AppQuery) async throws -> Page<App>
    func app(_ id: AppID, in workspace: WorkspaceID) async throws -> App?
    /// Inserts the app; throws `invalid_param` on `name` when the workspace already has an app of that name.
    func insert(_ app: App) async throws
    /// Applies `change` to the stored app in one transaction, so concurrent changes of different fields both stand;
    /// same name rule as `insert`. Returns the changed app, or `nil` when there is no such app.
    func update(_ id: AppID, in workspace: WorkspaceID, _ change: @escaping @Sendable (inout App) -> Void) async throws -> App?
    /// Deletes the app and everything that belongs to it. Returns `false` when there is no such app.
    func delete(_ id: AppID, in workspace: WorkspaceID) async throws -> Bool
}
