public import Foundation

public typealias EndUserID = Identifier<EndUser>

/// Someone an app's API caller names in `user`: Dify's end user, given an id the first time they talk to the app.
public struct EndUser: Sendable, Equatable {
    public let id: EndUserID
    public let workspaceID: WorkspaceID
    public let appID: AppID
    /// The caller's own name for them (`user`): Dify's `session_id` and `external_user_id`.
    public let sessionID: String
    public let createdAt: Date

    public init(id: EndUserID, workspaceID: WorkspaceID, appID: AppID, sessionID: String, createdAt: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.appID = appID
        self.sessionID = sessionID
        self.createdAt = createdAt
    }
}
