import Core
import OpenAPIKit

/// `AppLogsController`: an app's logs (every end user's conversations and messages) and the team's feedback, for
/// editors and up. A chat route asked of a completion app, or the other way round, is 400 `app_unavailable`.
extension ConsoleAPIDocumentation {
    static var appLogs: [DocumentedOperation] {
        let tag = "Logs"
        let account: JSONSchema = .object(properties: ["id": .string, "name": .string, "email": .string])
        let stats: JSONSchema = .object(properties: ["like": .integer, "dislike": .integer])
        let loggedAnnotation: JSONSchema = .object(
            properties: [
                "id": .uuid, "question": .string, "content": .string, "account": APIComponents.nullable(account), "created_at": .timestamp,
            ]
        )
        let message: JSONSchema = .object(
            properties: [
                "id": .uuid, "conversation_id": JSONSchema.uuid.nullable, "inputs": APIComponents.openObject, "query": .string,
                "message": .array(items: .anyValue), "message_tokens": .integer, "answer": .string, "answer_tokens": .integer,
                "provider_response_latency": .number, "from_source": .string(allowedValues: "api"),
                "from_end_user_id": JSONSchema.uuid.nullable, "from_account_id": .null(),
                "feedbacks": .array(
                    items: .object(
                        properties: [
                            "rating": PublicAPIDocumentation.rating, "content": DocSchemas.nullableString,
                            "from_source": .string(allowedValues: "user", "admin"), "from_end_user_id": JSONSchema.uuid.nullable,
                            "from_account": .null(),
                        ]
                    )
                ),
                "workflow_run_id": .null(),
                "annotation": APIComponents.nullable(loggedAnnotation),
                "annotation_hit_history": APIComponents.nullable(
                    .object(properties: [
                        "annotation_id": .uuid, "annotation_create_account": APIComponents.nullable(account), "created_at": .timestamp,
                    ])
                ),
                "created_at": .timestamp, "agent_thoughts": .array(items: .anyValue), "message_files": .array(items: .anyValue),
                "metadata": .object(
                    properties: [
                        "usage": JSONSchema.object.nullable, "retriever_resources": .array(items: .anyValue),
                        "annotation_reply": JSONSchema.object.optional.with(description: "The annotation that answered, when one did"),
                    ]
                ),
                "status": .string(allowedValues: "normal", "error"), "error": DocSchemas.nullableString, "parent_message_id": .null(),
            ]
        )
        let common: OrderedDictionary<String, JSONSchema> = [
            "id": .uuid, "status": .string(allowedValues: "normal"), "from_source": .string(allowedValues: "api"),
            "from_end_user_id": JSONSchema.uuid.nullable, "from_account_id": .null(), "created_at": .timestamp,
        ]
        let simpleConfig: JSONSchema = .object(properties: ["model": .anyValue, "pre_prompt": DocSchemas.nullableString])
        let detailConfig: JSONSchema = .object(
            nullable: true,
            properties: [
                "opening_statement": DocSchemas.nullableString, "suggested_questions": .array(items: .string), "model": .anyValue,
                "user_input_form": .anyValue, "pre_prompt": DocSchemas.nullableString, "agent_mode": .anyValue,
            ]
        )
        func object(_ extra: OrderedDictionary<String, JSONSchema>) -> JSONSchema {
            var properties = common
            for (key, value) in extra { properties[key] = value }
            return .object(properties: properties)
        }
        let listed: OrderedDictionary<String, JSONSchema> = [
            "from_end_user_session_id": .string, "from_account_name": .null(), "read_at": .null(), "updated_at": .timestamp,
            "model_config": simpleConfig, "user_feedback_stats": stats, "admin_feedback_stats": stats,
        ]
        var chatItem = listed
        chatItem["name"] = .string
        chatItem["summary"] = .string
        chatItem["annotated"] = .boolean
        chatItem["message_count"] = .integer
        chatItem["status_count"] = .object(
            nullable: true, properties: ["success": .integer, "failed": .integer, "partial_success": .integer]
        )
        var completionItem = listed
        completionItem["annotation"] = APIComponents.nullable(loggedAnnotation)
        completionItem["message"] = .object(
            nullable: true,
            properties: ["inputs": APIComponents.openObject, "query": .string, "message": .string, "answer": .string]
        )
        let chatDetail = object([
            "updated_at": .timestamp, "annotated": .boolean, "introduction": .string, "model_config": detailConfig,
            "message_count": .integer, "user_feedback_stats": stats, "admin_feedback_stats": stats,
        ])
        let completionDetail = object(["model_config": detailConfig, "message": APIComponents.nullable(message)])
        let listQuery: (Bool) -> [OpenAPI.Parameter] = { isChat in
            let minute = JSONSchema.string(description: "`YYYY-MM-DD HH:MM` in the caller's time zone")
            var parameters: [OpenAPI.Parameter] = [
                appID, DocSchemas.page, DocSchemas.limit(max: ChatService.maxLogLimit, default: 20),
                .query("keyword", allowsEmpty: true, description: "Only conversations whose messages contain it"),
                .query("start", minute, allowsEmpty: true), .query("end", minute, allowsEmpty: true, description: "Inclusive to its last second"),
                .query("annotation_status", DocSchemas.enumeration(["all", "annotated", "not_annotated", ""]), allowsEmpty: true),
            ]
            if isChat {
                parameters.append(
                    .query("sort_by", DocSchemas.enumeration(["created_at", "-created_at", "updated_at", "-updated_at", ""]), allowsEmpty: true)
                )
            }
            return parameters
        }
        var operations: [DocumentedOperation] = []
        for (kind, item, detail) in [("chat", chatItem, chatDetail), ("completion", completionItem, completionDetail)] {
            let isChat = kind == "chat"
            let withConversation = [appID, OpenAPI.Parameter.pathID("conversation_id")]
            operations += [
                operation(
                    .get, "/apps/{app_id}/\(kind)-conversations", id: "apps.logs.\(kind).list",
                    summary: isChat ? "An app's conversations" : "A completion app's messages, newest first", tag: tag,
                    parameters: listQuery(isChat),
                    responses: [200: .json("A page of conversations", APIComponents.page(of: object(item)))], errors: [400, 404]
                ),
                operation(
                    .get, "/apps/{app_id}/\(kind)-conversations/{conversation_id}", id: "apps.logs.\(kind).get",
                    summary: isChat ? "One conversation of the logs, marked read" : "One completion of the logs", tag: tag,
                    parameters: withConversation, responses: [200: .json("The conversation", detail)], errors: [400, 404]
                ),
                operation(
                    .delete, "/apps/{app_id}/\(kind)-conversations/{conversation_id}", id: "apps.logs.\(kind).delete",
                    summary: isChat ? "Delete a conversation and its messages" : "Delete a completion", tag: tag,
                    parameters: withConversation, responses: [204: .noContent("Deleted")], errors: [400, 404]
                ),
            ]
        }
        return operations + [
            operation(
                .get, "/apps/{app_id}/chat-messages", id: "apps.logs.messages", summary: "A conversation's messages, oldest first",
                tag: tag,
                parameters: [
                    appID, .query("conversation_id", .uuid, required: true),
                    .query("first_id", .uuid, allowsEmpty: true, description: "The first message of the previous slice; older ones follow"),
                    DocSchemas.limit(max: ChatService.maxLogLimit, default: 20),
                ],
                responses: [200: .json("A slice of messages", APIComponents.slice(of: message))], errors: [400, 404]
            ),
            operation(
                .get, "/apps/{app_id}/messages/{message_id}", id: "apps.logs.message", summary: "One message of the logs", tag: tag,
                parameters: [appID, .pathID("message_id")], responses: [200: .json("The message", message)], errors: [400, 404]
            ),
            operation(
                .post, "/apps/{app_id}/feedbacks", id: "apps.logs.feedback",
                summary: "Like or dislike an answer as the team; no `rating` removes the team's feedback", tag: tag, parameters: [appID],
                body: jsonBody(
                    .object(
                        properties: [
                            "message_id": .uuid,
                            "rating": .string(required: false, nullable: true, allowedValues: "like", "dislike", nil),
                            "content": DocSchemas.nullableString.optional,
                        ]
                    )
                ),
                responses: [200: .json("Saved", DocSchemas.success)], errors: [400, 404]
            ),
        ]
    }
}
