import Core
import Foundation
import Hummingbird
import Tenancy

/// An app's logs on the console (Dify's `chat-conversations`, `completion-conversations`, `chat-messages`, message
/// detail and the team's feedback): every end user's conversations, for editors and up.
struct AppLogsController {
    let apps: AppService
    let chat: ChatService
    let annotations: AnnotationService
    let accounts: AccountService

    struct FeedbackRequest: Decodable {
        let messageID: String?
        let rating: String?
        let content: String?

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case rating, content
        }
    }

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        for kind in ["chat", "completion"] {
            let isChat = kind == "chat"
            group.get(RouterPath("apps/:app_id/\(kind)-conversations")) { request, context in
                let app = try await app(context, chat: isChat)
                let query = try await logQuery(request, context, chat: isChat)
                let page = try await chat.conversationLogs(of: app, matching: query)
                let config = try await chat.modelConfig(of: app)
                var annotated: [MessageID: (Annotation, String?)] = [:]
                if !isChat { annotated = try await annotations.logs(of: page.items.compactMap(\.firstMessage?.id), in: app.workspaceID).annotations }
                return JSONBody([
                    "page": .number(Double(page.page)), "limit": .number(Double(page.limit)), "total": .number(Double(page.total)),
                    "has_more": .bool(page.hasMore),
                    "data": .array(
                        page.items.map { log in
                            isChat
                                ? Self.chatListItem(log, config: config)
                                : Self.completionListItem(log, config: config, annotation: log.firstMessage.flatMap { annotated[$0.id] })
                        }),
                ])
            }
            group.get(RouterPath("apps/:app_id/\(kind)-conversations/:conversation_id")) { _, context in
                let app = try await app(context, chat: isChat)
                let log = try await chat.conversationLog(try context.id("conversation_id"), of: app, readBy: context.scope.accountID)
                let config = try await chat.modelConfig(of: app)
                if isChat { return JSONBody(Self.chatDetail(log, config: config)) }
                var body = Self.common(log)
                body["model_config"] = Self.modelConfig(config)
                body["message"] = .null
                if let message = log.firstMessage {
                    body["message"] = try await messageDetails([message], endUsers: log.endUserID.map { [message.endUser: $0] } ?? [:], in: app)[0]
                }
                return JSONBody(.object(body))
            }
            group.delete(RouterPath("apps/:app_id/\(kind)-conversations/:conversation_id")) { _, context in
                try await chat.deleteConversationLog(try context.id("conversation_id"), of: try await app(context, chat: isChat))
                return Response(status: .noContent)
            }
        }
        group.get("apps/:app_id/chat-messages") { request, context in
            let app = try await app(context, chat: true)
            guard let conversation = try request.queryString("conversation_id"), !conversation.isEmpty else {
                throw RelayError.required("conversation_id")
            }
            let firstID: MessageID? = try request.queryString("first_id").flatMap { $0.isEmpty ? nil : try Identifier.parse($0, field: "first_id") }
            let limit = try request.queryInt("limit", default: 20)
            let (slice, users) = try await chat.logMessages(
                of: try Identifier.parse(conversation, field: "conversation_id"), app: app, before: firstID, limit: limit)
            return JSONBody([
                "limit": .number(Double(limit)), "has_more": .bool(slice.hasMore),
                "data": .array(try await messageDetails(slice.items, endUsers: users, in: app)),
            ])
        }
        group.get("apps/:app_id/messages/:message_id") { _, context in
            let app = try await app(context, chat: nil)
            let (message, user) = try await chat.logMessage(try context.id("message_id"), of: app)
            return JSONBody(try await messageDetails([message], endUsers: user.map { [message.endUser: $0] } ?? [:], in: app)[0])
        }
        group.post("apps/:app_id/feedbacks") { request, context in
            let app = try await app(context, chat: nil)
            var request = request
            let body = try await request.decodeJSON(as: FeedbackRequest.self)
            guard let id = body.messageID, !id.isEmpty else { throw RelayError.required("message_id") }
            let feedback = try body.rating.map { ChatMessage.Feedback(rating: try parseEnum($0, field: "rating"), content: body.content) }
            try await chat.setAdminFeedback(feedback, on: try Identifier.parse(id, field: "message_id"), of: app, by: context.scope.accountID)
            return SuccessBody()
        }
    }

    /// The workspace's app for an editor, of the modes the route serves (`chat`: the chat modes; `false`: completion).
    private func app(_ context: WorkspaceContext, chat isChat: Bool?) async throws -> App {
        let app = try await apps.find(try context.id("app_id"), in: context.scope)
        try context.scope.require(\.canEditApps, "Only editors, admins and owners can read an app's logs")
        if let isChat, isChat != (app.mode != .completion) {
            throw RelayError(
                .appUnavailable, "App mode is not in the supported list: \(isChat ? "chat, agent-chat, advanced-chat" : "completion")")
        }
        guard app.mode != .workflow else { throw RelayError(.appUnavailable, "A workflow app's runs are in its workflow logs") }
        return app
    }

    /// Dify's log filters; `start` and `end` are minutes in the account's time zone, `end` inclusive to its last second.
    private func logQuery(_ request: Request, _ context: WorkspaceContext, chat isChat: Bool) async throws -> ConversationLogQuery {
        let (start, end) = (try request.queryString("start"), try request.queryString("end"))
        // The account's zone is read only when a time is given in it.
        let zone = (start ?? "").isEmpty && (end ?? "").isEmpty ? TimeZone.gmt : try await accounts.timeZone(of: context.scope.accountID)
        let status: ConversationLogQuery.AnnotationStatus = try parseEnum(
            try request.queryString("annotation_status").flatMap { $0.isEmpty ? nil : $0 } ?? "all", field: "annotation_status")
        let order: ConversationOrder =
            isChat
            ? try parseEnum(try request.queryString("sort_by").flatMap { $0.isEmpty ? nil : $0 } ?? "-updated_at", field: "sort_by")
            : .createdAtDescending
        return ConversationLogQuery(
            page: try request.queryInt("page", default: 1), limit: try request.queryInt("limit", default: 20),
            keyword: try request.queryString("keyword"), start: try LocalMinute.parse(start, field: "start", in: zone),
            end: try LocalMinute.parse(end, field: "end", in: zone).map { $0.addingTimeInterval(59.999) },
            annotationStatus: status, order: order
        )
    }

    /// Messages as the console's logs show them, with what annotated or answered each.
    private func messageDetails(_ messages: [ChatMessage], endUsers: [String: EndUserID], in app: App) async throws -> [JSONValue] {
        let (made, hits) = try await annotations.logs(of: messages.map(\.id), in: app.workspaceID)
        return messages.map { message in
            let endUser = endUsers[message.endUser].map { JSONValue.string($0.description) } ?? .null
            var feedbacks: [JSONValue] = []
            if let feedback = message.feedback {
                feedbacks.append(Self.feedback(feedback, source: "user", endUser: endUser))
            }
            if let feedback = message.adminFeedback { feedbacks.append(Self.feedback(feedback, source: "admin", endUser: .null)) }
            var metadata: [String: JSONValue] = [
                "usage": message.usage.map { JSONValue(encoding: $0) } ?? .null,
                "retriever_resources": JSONValue(encoding: message.retrieverResources),
            ]
            if let reply = message.annotationReply { metadata["annotation_reply"] = reply.json }
            return [
                "id": .string(message.id.description), "conversation_id": message.conversationID.map { .string($0.description) } ?? .null,
                "inputs": .object(message.inputs), "query": .string(message.query), "message": [],
                "message_tokens": .number(Double(message.usage?.promptTokens ?? 0)), "answer": .string(message.answer),
                "answer_tokens": .number(Double(message.usage?.completionTokens ?? 0)),
                "provider_response_latency": .number(message.usage?.latency ?? 0), "from_source": "api", "from_end_user_id": endUser,
                "from_account_id": .null, "feedbacks": .array(feedbacks), "workflow_run_id": .null,
                "annotation": made[message.id].map { Self.annotation($0.0, writer: $0.1) } ?? .null,
                "annotation_hit_history": hits[message.id].map { hit, writer, name in
                    [
                        "annotation_id": .string(hit.annotationID.description),
                        "annotation_create_account": writer.map { ["id": .string($0.description), "name": .string(name ?? ""), "email": ""] }
                            ?? .null,
                        "created_at": AnnotationJSON.seconds(hit.createdAt),
                    ]
                } ?? .null,
                "created_at": AnnotationJSON.seconds(message.createdAt), "agent_thoughts": [], "message_files": .array(message.files),
                "metadata": .object(metadata), "status": .string(message.status == .error ? "error" : "normal"),
                "error": message.error.map(JSONValue.string) ?? .null, "parent_message_id": .null,
            ]
        }
    }

    static func feedback(_ feedback: ChatMessage.Feedback, source: String, endUser: JSONValue) -> JSONValue {
        [
            "rating": .string(feedback.rating.rawValue), "content": feedback.content.map(JSONValue.string) ?? .null,
            "from_source": .string(source), "from_end_user_id": endUser, "from_account": .null,
        ]
    }

    static func annotation(_ annotation: Annotation, writer: String?) -> JSONValue {
        [
            "id": .string(annotation.id.description), "question": .string(annotation.question), "content": .string(annotation.content),
            "account": annotation.accountID.map { ["id": .string($0.description), "name": .string(writer ?? ""), "email": ""] } ?? .null,
            "created_at": AnnotationJSON.seconds(annotation.createdAt),
        ]
    }

    /// What every log item carries.
    static func common(_ log: ConversationLog) -> [String: JSONValue] {
        [
            "id": .string(log.conversation.id.description), "status": "normal", "from_source": "api",
            "from_end_user_id": log.endUserID.map { .string($0.description) } ?? .null, "from_account_id": .null,
            "created_at": AnnotationJSON.seconds(log.conversation.createdAt),
        ]
    }

    static func stats(_ like: Int, _ dislike: Int) -> JSONValue { ["like": .number(Double(like)), "dislike": .number(Double(dislike))] }

    static func simpleModelConfig(_ config: AppModelConfig?) -> JSONValue {
        guard let config else { return ["model": .null, "pre_prompt": .null] }
        return ["model": JSONValue(encoding: config.model), "pre_prompt": config.prePrompt.map(JSONValue.string) ?? .null]
    }

    static func modelConfig(_ config: AppModelConfig?) -> JSONValue {
        guard let config else { return .null }
        return [
            "opening_statement": config.openingStatement.map(JSONValue.string) ?? .null,
            "suggested_questions": .array((config.suggestedQuestions ?? []).map(JSONValue.string)), "model": JSONValue(encoding: config.model),
            "user_input_form": JSONValue(encoding: config.inputForm), "pre_prompt": config.prePrompt.map(JSONValue.string) ?? .null,
            "agent_mode": config.agentMode.map { JSONValue(encoding: $0) } ?? .null,
        ]
    }

    static func listItem(_ log: ConversationLog, config: AppModelConfig?) -> [String: JSONValue] {
        var item = common(log)
        item["from_end_user_session_id"] = .string(log.conversation.endUser)
        item["from_account_name"] = .null
        item["read_at"] = log.readAt.map(AnnotationJSON.seconds) ?? .null
        item["updated_at"] = AnnotationJSON.seconds(log.conversation.updatedAt)
        item["model_config"] = simpleModelConfig(config)
        item["user_feedback_stats"] = stats(log.userLikes, log.userDislikes)
        item["admin_feedback_stats"] = stats(log.adminLikes, log.adminDislikes)
        return item
    }

    static func chatListItem(_ log: ConversationLog, config: AppModelConfig?) -> JSONValue {
        var item = listItem(log, config: config)
        item["name"] = .string(log.conversation.name)
        item["summary"] = .string(log.firstMessage?.query ?? "")
        item["annotated"] = .bool(log.annotated)
        item["message_count"] = .number(Double(log.messageCount))
        item["status_count"] =
            log.messageCount == 0
            ? .null
            : [
                "success": .number(Double(log.messageCount - log.failedMessages)), "failed": .number(Double(log.failedMessages)),
                "partial_success": 0,
            ]
        return .object(item)
    }

    static func completionListItem(_ log: ConversationLog, config: AppModelConfig?, annotation: (Annotation, String?)?) -> JSONValue {
        var item = listItem(log, config: config)
        item["annotation"] = annotation.map { Self.annotation($0.0, writer: $0.1) } ?? .null
        item["message"] =
            log.firstMessage.map { message in
                ["inputs": .object(message.inputs), "query": .string(message.query), "message": "", "answer": .string(message.answer)]
            } ?? .null
        return .object(item)
    }

    static func chatDetail(_ log: ConversationLog, config: AppModelConfig?) -> JSONValue {
        var body = common(log)
        body["updated_at"] = AnnotationJSON.seconds(log.conversation.updatedAt)
        body["annotated"] = .bool(log.annotated)
        body["introduction"] = .string(log.conversation.introduction)
        body["model_config"] = modelConfig(config)
        body["message_count"] = .number(Double(log.messageCount))
        body["user_feedback_stats"] = stats(log.userLikes, log.userDislikes)
        body["admin_feedback_stats"] = stats(log.adminLikes, log.adminDislikes)
        return .object(body)
    }
}
