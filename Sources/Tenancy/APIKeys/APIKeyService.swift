public import Core
public import Foundation

/// A key as shown at creation: the only time its secret is ever returned.
public struct IssuedAPIKey: Sendable {
    public let key: APIKey
    public let secret: String
}

/// Issues, lists, revokes and resolves API keys. Only a key's SHA-256 is stored; lookups go by that hash.
public struct APIKeyService: Sendable {
    public static let maxKeysPerOwner = 10
    static let secretLength = 24

    let store: APIKeyStore
    let apps: AppService
    let cache: APIKeyCache
    let now: @Sendable () -> Date

    public init(store: APIKeyStore, apps: AppService, cacheTTL: TimeInterval = 1, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.apps = apps
        self.cache = APIKeyCache(ttl: cacheTTL)
        self.now = now
    }

    // MARK: App keys

    public func appKeys(of app: AppID, in scope: WorkspaceScope) async throws -> [APIKey] {
        try scope.require(\.canViewAPIKeys, "Only editors, admins and owners can view API keys")
        _ = try await apps.find(app, in: scope)
        return try await store.appKeys(of: app, in: scope.workspaceID)
    }

    public func issueAppKey(for app: AppID, in scope: WorkspaceScope) async throws -> IssuedAPIKey {
        try scope.require(\.canManageAPIKeys, "Only owners and admins can create API keys")
        _ = try await apps.find(app, in: scope)
        return try await issue(kind: .app, app: app, name: "", permissions: [], in: scope)
    }

    public func revokeAppKey(_ id: APIKeyID, of app: AppID, in scope: WorkspaceScope) async throws {
        try scope.require(\.canManageAPIKeys, "Only owners and admins can delete API keys")
        _ = try await apps.find(app, in: scope)
        try await revoke(id, kind: .app, app: app, in: scope)
    }

    // MARK: Workspace keys

    public func workspaceKeys(in scope: WorkspaceScope) async throws -> [APIKey] {
        try scope.require(\.canViewAPIKeys, "Only editors, admins and owners can view API keys")
        return try await store.workspaceKeys(of: .workspace, in: scope.workspaceID)
    }

    public func issueWorkspaceKey(
        named name: String, permissions: [APIKey.Permission], in scope: WorkspaceScope
    ) async throws
        -> IssuedAPIKey
    {
        try scope.require(\.canManageAPIKeys, "Only owners and admins can create API keys")
        let name = try TextRules.required(name, field: "name", maxLength: 100)
        guard !permissions.isEmpty else {
            throw RelayError.invalidParam(
                "permissions", "permissions must name at least one of chat, completion, workflow, dataset", type: "required")
        }
        let unique = APIKey.Permission.allCases.filter(permissions.contains)
        return try await issue(kind: .workspace, app: nil, name: name, permissions: unique, in: scope)
    }

    public func revokeWorkspaceKey(_ id: APIKeyID, in scope: WorkspaceScope) async throws {
        try scope.require(\.canManageAPIKeys, "Only owners and admins can delete API keys")
        try await revoke(id, kind: .workspace, app: nil, in: scope)
    }

    // MARK: Dataset keys

    public func datasetKeys(in scope: WorkspaceScope) async throws -> [APIKey] {
        try scope.require(\.canViewAPIKeys, "Only editors, admins and owners can view API keys")
        return try await store.workspaceKeys(of: .dataset, in: scope.workspaceID)
    }

    public func issueDatasetKey(in scope: WorkspaceScope) async throws -> IssuedAPIKey {
        try scope.require(\.canManageAPIKeys, "Only owners and admins can create API keys")
        return try await issue(kind: .dataset, app: nil, name: "", permissions: [.dataset], in: scope)
    }

    public func revokeDatasetKey(_ id: APIKeyID, in scope: WorkspaceScope) async throws {
        try scope.require(\.canManageAPIKeys, "Only owners and admins can delete API keys")
        try await revoke(id, kind: .dataset, app: nil, in: scope)
    }

    /// Resolves a key presented to the knowledge API: a dataset key (`ds-…`), or a workspace key with the `dataset`
    /// permission. 401 for an unknown or revoked key, 403 for a workspace key without the permission.
    public func authorizeDataset(_ secret: String) async throws -> DatasetGrant {
        guard secret.hasPrefix("ds-") || secret.hasPrefix("ws-") else {
            throw RelayError.unauthorized("The knowledge API takes a dataset API key (ds-…) or a workspace key with the dataset permission")
        }
        let lookup = try await lookup(secret, requestedApp: nil)
        guard let lookup else { throw RelayError.unauthorized("Invalid API key") }
        guard !lookup.isRevoked else { throw RelayError.unauthorized("This API key has been revoked") }
        guard lookup.key.kind == .dataset || (lookup.key.kind == .workspace && lookup.key.permissions.contains(.dataset)) else {
            throw RelayError.accessDenied("This API key does not have the 'dataset' permission")
        }
        return DatasetGrant(key: lookup.key, plan: lookup.plan)
    }

    // MARK: Public API

    /// Resolves a presented bearer key (and, for a workspace key, the app named by `X-App-Id`).
    ///
    /// Throws 401 for an unknown or revoked key, 400 when a workspace key names no app, 404 when the named app is
    /// not in the key's workspace, and 403 `app_api_disabled` when the app's API is switched off.
    public func authorize(_ secret: String, requestedApp: String?) async throws -> PublicGrant {
        guard secret.hasPrefix("app-") || secret.hasPrefix("ws-") else { throw RelayError.unauthorized("Invalid API key") }
        let appID: AppID?
        if secret.hasPrefix("ws-") {
            guard let requestedApp, !requestedApp.isEmpty else {
                throw RelayError.invalidParam("X-App-Id", "A workspace API key must name the app in the X-App-Id header", type: "required")
            }
            guard let id = AppID(requestedApp) else { throw RelayError.invalidParam("X-App-Id", "X-App-Id must be a UUID") }
            appID = id
        } else {
            appID = nil
        }
        let lookup = try await lookup(secret, requestedApp: appID)
        guard let lookup else { throw RelayError.unauthorized("Invalid API key") }
        guard !lookup.isRevoked else { throw RelayError.unauthorized("This API key has been revoked") }
        guard let app = lookup.app else { throw RelayError.notFound("App \(appID?.description ?? "") not found") }
        guard app.enableAPI else { throw RelayError(.appAPIDisabled, "The API of this app is disabled") }
        return PublicGrant(key: lookup.key, app: app, plan: lookup.plan, appAuthorName: lookup.appAuthorName ?? "")
    }

    /// The stored key of `secret` (with the app a workspace key names), from the cache while it is fresh.
    private func lookup(_ secret: String, requestedApp: AppID?) async throws -> APIKeyLookup? {
        let hash = SecretToken.hash(secret)
        let cacheKey = requestedApp.map { "\(hash)|\($0)" } ?? hash
        let date = now()
        if let cached = cache.lookup(cacheKey, at: date) { return cached }
        let lookup = try await store.lookup(secretHash: hash, requestedApp: requestedApp, at: date)
        cache.store(lookup, for: cacheKey, at: date)
        return lookup
    }

    /// Drops cached grants at once, e.g. after an app or a plan was changed; other instances catch up within the TTL.
    public func forgetCachedGrants() {
        cache.removeAll()
    }

    private func issue(
        kind: APIKey.Kind, app: AppID?, name: String, permissions: [APIKey.Permission], in scope: WorkspaceScope
    )
        async throws -> IssuedAPIKey
    {
        let prefix =
            switch kind {
            case .app: "app-"
            case .workspace: "ws-"
            case .dataset: "ds-"
            }
        let secret = prefix + SecretToken.random(count: Self.secretLength)
        let key = APIKey(
            id: APIKeyID(), workspaceID: scope.workspaceID, appID: app, kind: kind, name: name, permissions: permissions,
            hint: prefix + "…" + secret.suffix(4), createdAt: now()
        )
        guard try await store.insert(key, secretHash: SecretToken.hash(secret), limit: Self.maxKeysPerOwner) else {
            throw RelayError.invalidParam(
                kind == .app ? "app_id" : "name", "At most \(Self.maxKeysPerOwner) API keys are allowed; delete one first",
                type: "limit"
            )
        }
        return IssuedAPIKey(key: key, secret: secret)
    }

    private func revoke(_ id: APIKeyID, kind: APIKey.Kind, app: AppID?, in scope: WorkspaceScope) async throws {
        guard try await store.revoke(id, kind: kind, app: app, in: scope.workspaceID, at: now()) else {
            throw RelayError.notFound("API key \(id) not found")
        }
        cache.removeAll()
    }
}
