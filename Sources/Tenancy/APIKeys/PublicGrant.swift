public import Core

/// What a Public API bearer key resolves to: the key and the app it acts for, in the key's workspace.
public struct PublicGrant: Sendable {
    public let key: APIKey
    public let app: App
    /// The workspace's plan as of the key lookup (cached like the key, so plan changes apply within its TTL).
    public let plan: WorkspacePlan
    /// Who created the app, as `/info` shows it ("" when that account is gone); read and cached with the key.
    public let appAuthorName: String

    public init(key: APIKey, app: App, plan: WorkspacePlan, appAuthorName: String = "") {
        self.key = key
        self.app = app
        self.plan = plan
        self.appAuthorName = appAuthorName
    }

    public var workspaceID: WorkspaceID { key.workspaceID }

    /// Throws 403 `access_denied` unless the key may make calls of this kind. App keys may make every call of their app.
    public func require(_ permission: APIKey.Permission) throws {
        guard key.kind == .workspace else { return }
        guard key.permissions.contains(permission) else {
            throw RelayError.accessDenied("This API key does not have the '\(permission.rawValue)' permission")
        }
    }
}

/// What a knowledge API key resolves to: its workspace (every dataset of it) and the workspace's plan.
public struct DatasetGrant: Sendable {
    public let key: APIKey
    public let plan: WorkspacePlan

    public init(key: APIKey, plan: WorkspacePlan) {
        self.key = key
        self.plan = plan
    }

    public var workspaceID: WorkspaceID { key.workspaceID }
}
