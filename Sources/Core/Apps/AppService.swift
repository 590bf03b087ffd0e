public import Foundation

/// Creates, lists, changes and deletes a workspace's apps, enforcing the seed's field rules and the caller's role.
public struct AppService: Sendable {
    public static let defaultIcon = "🤖"
    public static let defaultIconBackground = "#FFEAD5"
    public static let maxLimit = 100

    let store: AppStore
    let now: @Sendable () -> Date

    public init(store: AppStore, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.now = now
    }

    public func list(_ query: AppQuery, in scope: WorkspaceScope) async throws -> Page<App> {
        try Paging.check(page: query.page, limit: query.limit, maxLimit: Self.maxLimit)
        return try await store.apps(in: scope.workspaceID, matching: query)
    }

    /// Another workspace's app answers exactly like an unknown one: 404 `not_found`.
    public func find(_ id: AppID, in scope: WorkspaceScope) async throws -> App {
        guard let app = try await store.app(id, in: scope.workspaceID) else { throw Self.notFound(id) }
        return app
    }

    public func create(_ new: NewApp, in scope: WorkspaceScope) async throws -> App {
        try scope.require(\.canEditApps, "Only editors, admins and owners can create apps")
        let date = now()
        let app = App(
            id: AppID(), workspaceID: scope.workspaceID, name: try Self.validName(new.name), mode: new.mode,
            icon: try Self.validIcon(new.icon ?? Self.defaultIcon),
            iconBackground: try Self.validColor(new.iconBackground ?? Self.defaultIconBackground),
            description: try Self.validDescription(new.description ?? ""), enableSite: true, enableAPI: true,
            apiRPM: 0, apiRPH: 0, isDemo: false, createdBy: scope.accountID, createdAt: date, updatedAt: date
        )
        try await store.insert(app)
        return app
    }

    public func update(_ id: AppID, with changes: AppChanges, in scope: WorkspaceScope) async throws -> App {
        try scope.require(\.canEditApps, "Only editors, admins and owners can change apps")
        // Every rule holds for a field on its own, so the changes are checked first and applied to the stored row.
        let name = try changes.name.map(Self.validName)
        let description = try changes.description.map(Self.validDescription)
        let icon = try changes.icon.map(Self.validIcon)
        let color = try changes.iconBackground.map(Self.validColor)
        let rpm = try changes.apiRPM.map { try Self.validRate($0, field: "api_rpm") }
        let rph = try changes.apiRPH.map { try Self.validRate($0, field: "api_rph") }
        let (enableSite, enableAPI, date) = (changes.enableSite, changes.enableAPI, now())
        let changed = try await store.update(id, in: scope.workspaceID) { app in
            if let name { app.name = name }
            if let description { app.description = description }
            if let icon { app.icon = icon }
            if let color { app.iconBackground = color }
            if let enableSite { app.enableSite = enableSite }
            if let enableAPI { app.enableAPI = enableAPI }
            if let rpm { app.apiRPM = rpm }
            if let rph { app.apiRPH = rph }
            app.updatedAt = date
        }
        guard let changed else { throw Self.notFound(id) }
        return changed
    }

    public func delete(_ id: AppID, in scope: WorkspaceScope) async throws {
        try scope.require(\.canEditApps, "Only editors, admins and owners can delete apps")
        guard try await store.delete(id, in: scope.workspaceID) else { throw Self.notFound(id) }
    }

    static func notFound(_ id: AppID) -> RelayError { .notFound("App \(id) not found") }

    static func validName(_ name: String) throws -> String {
        try TextRules.required(name, field: "name", maxLength: 40)
    }

    static func validDescription(_ description: String) throws -> String {
        guard description.count <= 200 else {
            throw RelayError.invalidParam("description", "description must be at most 200 characters", type: "too_long")
        }
        return description
    }

    static func validIcon(_ icon: String) throws -> String {
        guard !icon.isEmpty, icon.count <= 255 else {
            throw RelayError.invalidParam("icon", "icon must be an emoji or a URL of at most 255 characters")
        }
        return icon
    }

    /// `#RGB` or `#RRGGBB`, hexadecimal.
    static func validColor(_ color: String) throws -> String {
        let digits = color.dropFirst()
        guard color.first == "#", digits.count == 6 || digits.count == 3, digits.allSatisfy(\.isHexDigit) else {
            throw RelayError.invalidParam("icon_background", "icon_background must be a hex colour such as #FFEAD5")
        }
        return color
    }

    static func validRate(_ value: Int, field: String) throws -> Int {
        guard (0...1_000_000_000).contains(value) else {
            throw RelayError.invalidParam(field, "\(field) must be an integer from 0 (no limit) to 1000000000")
        }
        return value
    }
}
