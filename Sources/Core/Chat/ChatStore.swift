public import Foundation

/// Who asks, of which app: every conversation and message call is scoped to one end user of one app of one workspace.
public struct EndUserScope: Sendable, Equatable {
    public let workspaceID: WorkspaceID
    public let appID: AppID
    public let endUser: String

    public init(workspaceID: WorkspaceID, appID: AppID, endUser: String) {
        self.workspaceID = workspaceID
        self.appID = appID
        self.endUser = endUser
    }
}

/// Storage of app model configurations, conversations and messages. A conversation or message of another end user,
/// app or workspace is indistinguishable from none.
public protocol ChatStore: StopRequests {
    func modelConfig(of app: AppID, in workspace: WorkspaceID) async throws -> AppModelConfig?
    /// Stores the app's configuration; `false` when there is no such app.
    func saveModelConfig(_ config: AppModelConfig, of app: AppID, in workspace: WorkspaceID, at date: Date) async throws -> Bool

    func conversation(_ id: ConversationID, of scope: EndUserScope) async throws -> Conversation?
    /// A page after `lastID` (exclusive) in `order`; `nil` when `lastID` names no conversation of the scope.
    func conversations(of scope: EndUserScope, after lastID: ConversationID?, limit: Int, order: ConversationOrder) async throws
        -> Slice<Conversation>?
    func rename(_ id: ConversationID, of scope: EndUserScope, to name: String, at date: Date) async throws -> Conversation?
    /// Deletes the conversation and its messages; `false` when there is no such conversation.
    func delete(_ id: ConversationID, of scope: EndUserScope) async throws -> Bool

    /// Stores a new message (and `conversation`, when it starts one) in one transaction, and marks its conversation
    /// updated.
    func begin(_ message: ChatMessage, starting conversation: Conversation?) async throws
    /// Stores how a message ended.
    func finish(_ message: ChatMessage, at date: Date) async throws
    func message(_ id: MessageID, of scope: EndUserScope) async throws -> ChatMessage?
    func message(task taskID: String, in workspace: WorkspaceID, app: AppID) async throws -> ChatMessage?
    /// Messages of a conversation before `firstID` (exclusive), the newest `limit`, oldest first; `nil` when `firstID`
    /// names no message of the conversation.
    func messages(of conversation: ConversationID, scope: EndUserScope, before firstID: MessageID?, limit: Int) async throws
        -> Slice<ChatMessage>?
    /// The last `limit` finished exchanges of a conversation, oldest first: what a model remembers.
    func history(of conversation: ConversationID, in workspace: WorkspaceID, limit: Int) async throws -> [ChatMessage]
    /// Sets (or with `nil` clears) an end user's feedback on a message; `false` when there is no such message.
    func setFeedback(_ feedback: ChatMessage.Feedback?, on message: MessageID, of scope: EndUserScope) async throws -> Bool

    /// Asks whichever instance runs the message's task to stop it.
    func requestStop(of message: MessageID, in workspace: WorkspaceID, at date: Date) async throws
}
