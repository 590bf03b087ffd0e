public import Foundation

/// A secret that authorizes Public API calls. Only its SHA-256 is stored; `hint` is its masked form.
public struct APIKey: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// `app-…`: calls one app.
        case app
        /// `ws-…`: calls any app of its workspace within its permissions, naming the app in `X-App-Id`.
        case workspace
        /// `ds-…`: the knowledge API over every dataset of its workspace (Dify's dataset key).
        case dataset
    }

    /// What a workspace key may call, by the kind of work.
    public enum Permission: String, Sendable, Codable, CaseIterable {
        case chat
        case completion
        case workflow
        case dataset
    }

    public let id: APIKeyID
    public let workspaceID: WorkspaceID
    public let appID: AppID?
    public let kind: Kind
    public var name: String
    public var permissions: [Permission]
    public var hint: String
    public var createdAt: Date
    public var lastUsedAt: Date?

    public init(
        id: APIKeyID, workspaceID: WorkspaceID, appID: AppID?, kind: Kind, name: String, permissions: [Permission],
        hint: String, createdAt: Date, lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.appID = appID
        self.kind = kind
        self.name = name
        self.permissions = permissions
        self.hint = hint
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// A presented key as found in storage: the key, whether it was revoked, and the app it acts for.
public struct APIKeyLookup: Sendable {
    public let key: APIKey
    public let isRevoked: Bool
    /// The key's app (app keys) or the app named by `X-App-Id` when it belongs to the key's workspace.
    public let app: App?
    /// The key's workspace's plan, read together with the key so that limits need no further read.
    public let plan: WorkspacePlan
    /// The display name of whoever created the app, if that account still exists; read with the key, for `/info`.
    public let appAuthorName: String?

    public init(key: APIKey, isRevoked: Bool, app: App?, plan: WorkspacePlan, appAuthorName: String? = nil) {
        self.key = key
        self.isRevoked = isRevoked
        self.app = app
        self.plan = plan
        self.appAuthorName = appAuthorName
    }
}
