import Foundation

/// What the app's team sees of every end user's conversations (the console's logs and statistics), and the app-level
/// reads of Dify's service API (end users, feedback).
extension ChatService {
    public static let maxLogLimit = 100

    public func endUser(_ id: EndUserID, of app: App) async throws -> EndUser {
        guard let user = try await store.endUser(id, of: app.id, in: app.workspaceID) else {
            throw RelayError(.endUserNotFound, "End user not found.")
        }
        return user
    }

    /// A page of the app's feedback, newest first; Dify allows up to 101 a page.
    public func feedbacks(of app: App, page: Int, limit: Int) async throws -> [MessageFeedback] {
        try Paging.check(page: page, limit: limit, maxLimit: 101)
        return try await store.feedbacks(of: app.id, in: app.workspaceID, page: page, limit: limit)
    }

    /// The team's like or dislike of a message (`nil` takes it back).
    public func setAdminFeedback(_ feedback: ChatMessage.Feedback?, on message: MessageID, of app: App, by account: AccountID) async throws {
        guard try await store.setAdminFeedback(feedback, on: message, of: app.id, in: app.workspaceID, by: account, at: now()) else {
            throw RelayError.notFound("Message Not Exists.")
        }
    }

    /// The logs' page of conversations: a chat app's, or a completion app's messages standing for theirs.
    public func conversationLogs(of app: App, matching query: ConversationLogQuery) async throws -> Page<ConversationLog> {
        try Paging.check(page: query.page, limit: query.limit, maxLimit: Self.maxLogLimit)
        if let start = query.start, let end = query.end, start > end {
            throw RelayError.invalidParam("start", "start must be earlier than or equal to end")
        }
        return app.mode == .completion
            ? try await store.completionLogs(of: app.id, in: app.workspaceID, matching: query)
            : try await store.conversationLogs(of: app.id, in: app.workspaceID, matching: query)
    }

    /// One conversation of the logs, marked read by `reader`.
    public func conversationLog(_ id: ConversationID, of app: App, readBy reader: AccountID) async throws -> ConversationLog {
        let log =
            app.mode == .completion
            ? try await store.completionLog(MessageID(id.uuid), of: app.id, in: app.workspaceID)
            : try await store.conversationLog(id, of: app.id, in: app.workspaceID, readBy: reader, at: now())
        guard let log else { throw RelayError.notFound("Conversation Not Exists.") }
        return log
    }

    public func deleteConversationLog(_ id: ConversationID, of app: App) async throws {
        guard try await store.deleteLog(id, of: app.id, in: app.workspaceID, completion: app.mode == .completion) else {
            throw RelayError.notFound("Conversation Not Exists.")
        }
    }

    /// Messages of a conversation as the logs page them (oldest first, before `firstID`), with their end users' ids.
    public func logMessages(
        of conversation: ConversationID, app: App, before firstID: MessageID?, limit: Int
    ) async throws
        -> (messages: Slice<ChatMessage>, endUsers: [String: EndUserID])
    {
        try Paging.check(page: 1, limit: limit, maxLimit: Self.maxLogLimit)
        guard let slice = try await store.logMessages(of: conversation, app: app.id, in: app.workspaceID, before: firstID, limit: limit) else {
            throw RelayError.notFound("First message not found")
        }
        let users = try await store.endUserIDs(of: Array(Set(slice.items.map(\.endUser))), app: app.id, in: app.workspaceID)
        return (slice, users)
    }

    public func logMessage(_ id: MessageID, of app: App) async throws -> (message: ChatMessage, endUser: EndUserID?) {
        guard let message = try await store.logMessage(id, of: app.id, in: app.workspaceID) else { throw RelayError.notFound("Message Not Exists.") }
        let users = try await store.endUserIDs(of: [message.endUser], app: app.id, in: app.workspaceID)
        return (message, users[message.endUser])
    }

    /// One statistic of the app, a day at a time; a statistic its mode has not is refused as Dify refuses it.
    public func statistic(_ statistic: AppStatistic, of app: App, over range: StatisticsRange) async throws -> [StatisticsDay] {
        if let modes = statistic.modes, !modes.contains(app.mode) {
            throw RelayError(.appUnavailable, "App mode is not in the supported list: \(modes.map(\.rawValue).joined(separator: ", "))")
        }
        return try await store.statistic(statistic, of: app.id, in: app.workspaceID, over: range)
    }

    /// Whether a message of the app carries the uploaded file: what lets its preview be read.
    public func carries(_ file: FileID, of app: App) async throws -> Bool {
        try await store.carries(file, app: app.id, in: app.workspaceID)
    }
}
