import Core
import Foundation
import Hummingbird
import Tenancy

/// An end user's conversations and messages with a chat app, and feedback on answers. Every call is scoped to the
/// `user` it names: another user's conversation is not found.
struct ConversationsController {
    let chat: ChatService

    struct RenameRequest: Decodable {
        let name: String?
        let autoGenerate: Bool?
        let user: String?

        enum CodingKeys: String, CodingKey {
            case name
            case autoGenerate = "auto_generate"
            case user
        }
    }

    struct UserRequest: Decodable {
        let user: String?
    }

    struct FeedbackRequest: Decodable {
        let rating: String?
        let user: String?
        let content: String?
    }

    static let maxLimit = 100

    func addRoutes(to group: RouterGroup<PublicContext>) {
        group.get("conversations") { request, context in
            let scope = try Self.chatScope(context, user: request.queryString("user"))
            let order: ConversationOrder = try parseEnum(request.queryString("sort_by") ?? "-updated_at", field: "sort_by")
            let lastID: ConversationID? = try request.queryString("last_id").flatMap { $0.isEmpty ? nil : try Identifier.parse($0, field: "last_id") }
            let limit = try Self.limit(request)
            let slice = try await chat.conversations(of: scope, after: lastID, limit: limit, order: order)
            return JSONBody(["limit": .number(Double(limit)), "has_more": .bool(slice.hasMore), "data": .array(slice.items.map(Self.body))])
        }
        group.get("messages") { request, context in
            guard let conversation = try request.queryString("conversation_id"), !conversation.isEmpty else {
                throw RelayError.required("conversation_id")
            }
            return try await messages(request, context, conversation: conversation)
        }
        group.get("conversations/:conversation_id/messages") { request, context in
            try await messages(request, context, conversation: try context.parameters.require("conversation_id"))
        }
        group.post("conversations/:conversation_id/name") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: RenameRequest.self)
            let scope = try Self.chatScope(context, user: body.user)
            let renamed = try await chat.rename(
                try context.id("conversation_id"), of: scope, app: context.grant.app, to: body.name, autoGenerate: body.autoGenerate ?? false
            )
            return JSONBody(Self.body(renamed))
        }
        group.delete("conversations/:conversation_id") { request, context in
            var request = request
            // Dify's SDKs send `user` in a JSON body; a query parameter does as well.
            let user = try await Self.optionalBody(&request, as: UserRequest.self)?.user ?? request.queryString("user")
            let scope = try Self.chatScope(context, user: user)
            try await chat.delete(try context.id("conversation_id"), of: scope)
            return Response(status: .noContent)
        }
        group.post("messages/:message_id/feedbacks") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: FeedbackRequest.self)
            let scope = try EndUserScope(context.grant, user: body.user)
            try context.grant.require(context.grant.app.mode.permission)
            let feedback = try body.rating.map { rating in
                ChatMessage.Feedback(rating: try parseEnum(rating, field: "rating"), content: body.content)
            }
            try await chat.setFeedback(feedback, on: try context.id("message_id"), of: scope)
            return SuccessBody()
        }
        group.get("app/feedbacks") { request, context in
            let app = context.grant.app
            try context.grant.require(app.mode.permission)
            let feedbacks = try await chat.feedbacks(
                of: app, page: try request.queryInt("page", default: 1), limit: try request.queryInt("limit", default: 20))
            return JSONBody(["data": .array(feedbacks.map(Self.body))])
        }
        group.get("messages/:message_id/suggested") { request, context in
            let scope = try Self.chatScope(context, user: request.queryString("user"))
            let questions = try await chat.suggestedQuestions(after: try context.id("message_id"), of: scope, app: context.grant.app)
            return JSONBody(["result": "success", "data": .array(questions.map(JSONValue.string))])
        }
    }

    private func messages(_ request: Request, _ context: PublicContext, conversation: String) async throws -> JSONBody {
        let scope = try Self.chatScope(context, user: request.queryString("user"))
        let conversationID: ConversationID = try Identifier.parse(conversation, field: "conversation_id")
        let firstID: MessageID? = try request.queryString("first_id").flatMap { $0.isEmpty ? nil : try Identifier.parse($0, field: "first_id") }
        let limit = try Self.limit(request)
        let slice = try await chat.messages(of: conversationID, scope: scope, before: firstID, limit: limit)
        return JSONBody(["limit": .number(Double(limit)), "has_more": .bool(slice.hasMore), "data": .array(slice.items.map(Self.body))])
    }

    /// The caller's end-user scope, for calls that only chat apps have.
    static func chatScope(_ context: PublicContext, user: String?) throws -> EndUserScope {
        let app = context.grant.app
        try context.grant.require(app.mode.permission)
        guard [.chat, .agentChat, .advancedChat].contains(app.mode) else {
            throw RelayError(.notChatApp, "Please check if your app mode matches the right API route.")
        }
        return try EndUserScope(context.grant, user: user)
    }

    static func limit(_ request: Request) throws -> Int {
        let limit = try request.queryInt("limit", default: 20)
        guard (1...maxLimit).contains(limit) else {
            throw RelayError.invalidParam("limit", "limit must be an integer from 1 to \(maxLimit)")
        }
        return limit
    }

    /// A JSON body when there is one (a DELETE may carry none).
    static func optionalBody<Body: Decodable>(_ request: inout Request, as type: Body.Type) async throws -> Body? {
        let buffer = try await request.collectBody(upTo: Request.maxJSONBodySize)
        guard buffer.readableBytes > 0 else { return nil }
        return try await request.decodeJSON(as: type)
    }

    static func body(_ conversation: Conversation) -> JSONValue {
        [
            "id": .string(conversation.id.description), "name": .string(conversation.name), "inputs": .object(conversation.inputs),
            "status": "normal", "introduction": .string(conversation.introduction),
            "created_at": .number(conversation.createdAt.timeIntervalSince1970.rounded(.down)),
            "updated_at": .number(conversation.updatedAt.timeIntervalSince1970.rounded(.down)),
        ]
    }

    /// A feedback as Dify's `MessageFeedback.to_dict()` shows it (naive ISO times).
    static func body(_ feedback: MessageFeedback) -> JSONValue {
        let date = JSONValue.string(ISODate.naive(feedback.createdAt))
        return [
            "id": .string(feedback.id), "app_id": .string(feedback.appID.description),
            "conversation_id": feedback.conversationID.map { .string($0.description) } ?? .null,
            "message_id": .string(feedback.messageID.description), "rating": .string(feedback.feedback.rating.rawValue),
            "content": feedback.feedback.content.map(JSONValue.string) ?? .null, "from_source": .string(feedback.fromSource),
            "from_end_user_id": feedback.endUserID.map { .string($0.description) } ?? .null,
            "from_account_id": feedback.accountID.map { .string($0.description) } ?? .null, "created_at": date, "updated_at": date,
        ]
    }

    static func body(_ message: ChatMessage) -> JSONValue {
        [
            "id": .string(message.id.description),
            "conversation_id": message.conversationID.map { .string($0.description) } ?? .null,
            "inputs": .object(message.inputs),
            "query": .string(message.query),
            "answer": .string(message.answer),
            "message_files": .array(message.files),
            "feedback": message.feedback.map { ["rating": .string($0.rating.rawValue)] } ?? .null,
            "retriever_resources": JSONValue(encoding: message.retrieverResources),
            "agent_thoughts": [],
            "created_at": .number(message.createdAt.timeIntervalSince1970.rounded(.down)),
            "status": message.status == .error ? "error" : "normal",
            "error": message.error.map(JSONValue.string) ?? .null,
        ]
    }
}
