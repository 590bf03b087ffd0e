import Foundation

/// Apps' web settings: read by their keys, changed by the workspace's editors.
extension AppService {
    /// The app's site: as stored, or its defaults (with no code yet) when it was never changed.
    public func site(of app: App) async throws -> StoredSite {
        try await store.site(of: app.id, in: app.workspaceID)
            ?? StoredSite(appID: app.id, settings: AppSite(defaultsOf: app), code: "", updatedBy: nil, updatedAt: app.updatedAt)
    }

    /// Applies a console change of the site (only the fields it names); the 400 lists every problem.
    public func updateSite(of id: AppID, with change: [String: JSONValue], in scope: WorkspaceScope) async throws -> StoredSite {
        try scope.require(\.canEditApps, "Only editors, admins and owners can change an app's site")
        // Checked first, on the defaults, so that a refused change stores nothing.
        var probe = AppSite(defaultsOf: try await find(id, in: scope))
        try probe.apply(change)
        guard
            let site = try await store.updateSite(
                of: id, in: scope.workspaceID, by: scope.accountID, at: now(), { site in try site.settings.apply(change) })
        else { throw Self.notFound(id) }
        return site
    }

    /// Gives the app's site a new web code; admins and owners only.
    public func resetSiteCode(of id: AppID, in scope: WorkspaceScope) async throws -> StoredSite {
        try scope.require(\.canManageMembers, "Only admins and owners can reset an app's web access token")
        guard
            let site = try await store.updateSite(
                of: id, in: scope.workspaceID, by: scope.accountID, at: now(), { site in site.code = StoredSite.newCode() })
        else { throw Self.notFound(id) }
        return site
    }
}
