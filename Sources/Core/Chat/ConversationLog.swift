import Crypto
public import Foundation

/// What the console's logs ask of an app's conversations (Dify's `chat-conversations` and `completion-conversations`).
public struct ConversationLogQuery: Sendable {
    public enum AnnotationStatus: String, Sendable, CaseIterable {
        case all, annotated
        case notAnnotated = "not_annotated"
    }

    public var page: Int
    public var limit: Int
    /// Matched, in any case, against the queries and answers, and for chats the name, introduction and end user.
    public var keyword: String?
    public var start: Date?
    /// Inclusive, to the end of its minute.
    public var end: Date?
    public var annotationStatus: AnnotationStatus
    public var order: ConversationOrder

    public init(
        page: Int = 1, limit: Int = 20, keyword: String? = nil, start: Date? = nil, end: Date? = nil, annotationStatus: AnnotationStatus = .all,
        order: ConversationOrder = .updatedAtDescending
    ) {
        self.page = page
        self.limit = limit
        self.keyword = keyword
        self.start = start
        self.end = end
        self.annotationStatus = annotationStatus
        self.order = order
    }
}

/// A conversation as the console's logs list it: the conversation (for a completion app, its message stands for one)
/// with the counts Dify shows beside it.
public struct ConversationLog: Sendable {
    public let conversation: Conversation
    public let endUserID: EndUserID?
    /// The first message: its query is the summary; for a completion app, the whole of it.
    public let firstMessage: ChatMessage?
    public let messageCount: Int
    public let userLikes: Int
    public let userDislikes: Int
    public let adminLikes: Int
    public let adminDislikes: Int
    public let failedMessages: Int
    public let annotated: Bool
    /// When the team first opened it in the logs.
    public let readAt: Date?

    public init(
        conversation: Conversation, endUserID: EndUserID?, firstMessage: ChatMessage?, messageCount: Int, userLikes: Int, userDislikes: Int,
        adminLikes: Int, adminDislikes: Int, failedMessages: Int, annotated: Bool, readAt: Date? = nil
    ) {
        self.conversation = conversation
        self.endUserID = endUserID
        self.firstMessage = firstMessage
        self.messageCount = messageCount
        self.userLikes = userLikes
        self.userDislikes = userDislikes
        self.adminLikes = adminLikes
        self.adminDislikes = adminDislikes
        self.failedMessages = failedMessages
        self.annotated = annotated
        self.readAt = readAt
    }
}

/// Feedback on an answer, from its end user (`user`) or the app's team (`admin`), as `GET /app/feedbacks` lists it.
public struct MessageFeedback: Sendable {
    public let messageID: MessageID
    public let conversationID: ConversationID?
    public let appID: AppID
    public let fromSource: String
    public let feedback: ChatMessage.Feedback
    public let endUserID: EndUserID?
    public let accountID: AccountID?
    public let createdAt: Date

    public init(
        messageID: MessageID, conversationID: ConversationID?, appID: AppID, fromSource: String, feedback: ChatMessage.Feedback,
        endUserID: EndUserID?, accountID: AccountID?, createdAt: Date
    ) {
        self.messageID = messageID
        self.conversationID = conversationID
        self.appID = appID
        self.fromSource = fromSource
        self.feedback = feedback
        self.endUserID = endUserID
        self.accountID = accountID
        self.createdAt = createdAt
    }

    /// A stable id: Dify's feedback rows have one, and each message holds at most one feedback from each source.
    public var id: String {
        let bytes = Array(SHA256.hash(data: Array((messageID.description + "/" + fromSource).utf8)).prefix(16))
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        ).uuidString.lowercased()
    }
}
