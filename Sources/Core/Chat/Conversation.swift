public import Foundation

public typealias ConversationID = Identifier<Conversation>
public typealias MessageID = Identifier<ChatMessage>

/// A conversation of one end user with one chat app.
public struct Conversation: Sendable, Equatable {
    public let id: ConversationID
    public let workspaceID: WorkspaceID
    public let appID: AppID
    /// The caller-chosen end-user id (`user`) the conversation belongs to.
    public let endUser: String
    public var name: String
    public let inputs: [String: JSONValue]
    public let introduction: String
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: ConversationID, workspaceID: WorkspaceID, appID: AppID, endUser: String, name: String, inputs: [String: JSONValue],
        introduction: String, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.appID = appID
        self.endUser = endUser
        self.name = name
        self.inputs = inputs
        self.introduction = introduction
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A conversation's name from its first query, as Dify shows it until it is renamed.
    public static func name(fromFirstQuery query: String) -> String {
        let text = query.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !text.isEmpty else { return "New conversation" }
        return text.count > 30 ? String(text.prefix(30)) + "..." : text
    }
}

/// One query and its answer, in a conversation (chat apps) or on its own (completion apps).
public struct ChatMessage: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// The answer is still being generated.
        case running
        case normal
        /// Stopped by its end user; `answer` holds what had been generated.
        case stopped
        case error
    }

    public let id: MessageID
    public let workspaceID: WorkspaceID
    public let appID: AppID
    public let conversationID: ConversationID?
    public let endUser: String
    public let taskID: String
    public let inputs: [String: JSONValue]
    public let query: String
    public var answer: String
    public var status: Status
    public var error: String?
    public let provider: String
    public let model: String
    public var usage: MessageUsage?
    /// Files sent with the query, as the message lists them (`message_files`).
    public let files: [JSONValue]
    /// The dataset segments the answer was given, best first.
    public let retrieverResources: [RetrieverResource]
    public var feedback: Feedback?
    /// The feedback of the app's team, from the console's logs.
    public var adminFeedback: Feedback?
    /// The annotation that answered the query instead of the model, when one did.
    public var annotationReply: AnnotationReply?
    public let createdAt: Date

    public init(
        id: MessageID, workspaceID: WorkspaceID, appID: AppID, conversationID: ConversationID?, endUser: String, taskID: String,
        inputs: [String: JSONValue], query: String, answer: String = "", status: Status = .running, error: String? = nil,
        provider: String, model: String, usage: MessageUsage? = nil, files: [JSONValue] = [],
        retrieverResources: [RetrieverResource] = [], feedback: Feedback? = nil, annotationReply: AnnotationReply? = nil,
        adminFeedback: Feedback? = nil,
        createdAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.appID = appID
        self.conversationID = conversationID
        self.endUser = endUser
        self.taskID = taskID
        self.inputs = inputs
        self.query = query
        self.answer = answer
        self.status = status
        self.error = error
        self.provider = provider
        self.model = model
        self.usage = usage
        self.files = files
        self.retrieverResources = retrieverResources
        self.feedback = feedback
        self.annotationReply = annotationReply
        self.adminFeedback = adminFeedback
        self.createdAt = createdAt
    }

    public struct Feedback: Sendable, Equatable {
        public enum Rating: String, Sendable, CaseIterable {
            case like, dislike
        }

        public let rating: Rating
        public let content: String?

        public init(rating: Rating, content: String?) {
            self.rating = rating
            self.content = content
        }
    }
}

/// How `GET /conversations` orders its pages.
public enum ConversationOrder: String, Sendable, CaseIterable {
    case createdAt = "created_at"
    case createdAtDescending = "-created_at"
    case updatedAt = "updated_at"
    case updatedAtDescending = "-updated_at"

    var column: String { rawValue.hasPrefix("-") ? String(rawValue.dropFirst()) : rawValue }
    var isDescending: Bool { rawValue.hasPrefix("-") }
}

/// A page of a list paged by an id: the items and whether more follow.
public struct Slice<Item: Sendable>: Sendable {
    public let items: [Item]
    public let hasMore: Bool

    public init(items: [Item], hasMore: Bool) {
        self.items = items
        self.hasMore = hasMore
    }
}
