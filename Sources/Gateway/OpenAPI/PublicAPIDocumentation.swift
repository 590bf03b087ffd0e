import OpenAPIKit

/// The Public API's operations (app keys), each under `/v1` and `/api`: the app's info, files, conversations and
/// messages here; answering and workflow runs in `PublicAPIDocumentation+Chat.swift`, the rest in the other
/// `PublicAPIDocumentation+…` files.
enum PublicAPIDocumentation {
    static var operations: [DocumentedOperation] {
        appOperations + conversationOperations + messageOperations + workflowOperations + siteOperations + annotationOperations + audioOperations
            + indexOperations
    }

    /// One Public API operation under both prefixes, with the `X-App-Id` header a workspace key needs.
    static func operation(
        _ method: OpenAPI.HttpMethod, _ path: String, id: String, summary: String, description: String? = nil, tag: String,
        parameters: [OpenAPI.Parameter] = [], body: OpenAPI.Request? = nil, responses: OpenAPI.Response.Map, errors: [Int] = []
    ) -> [DocumentedOperation] {
        DocumentedOperation.underBothPrefixes(
            method, path, id: id, summary: summary, description: description, tag: tag, security: .appKey,
            parameters: parameters + [appIDHeader], body: body, responses: responses, errors: errors
        )
    }

    // Any string: an app key's calls ignore it, so only a workspace key's are refused for one that is not a UUID.
    static let appIDHeader = OpenAPI.Parameter.header(
        "X-App-Id", .string,
        description: "The app (a UUID) a workspace key (`ws-…`) calls; required with a workspace key, ignored with an app key"
    )

    // MARK: App

    static var appOperations: [DocumentedOperation] {
        operation(
            .get, "/info", id: "getAppInfo", summary: "The app's name, description, tags and mode", tag: "App",
            responses: [200: .json("The app", appInfo)]
        )
            + operation(
                .get, "/parameters", id: "getAppParameters",
                summary: "The app's opening statement, suggested questions, input form and file upload settings", tag: "App",
                responses: [200: .json("The app's parameters", appParameters)]
            )
            + operation(
                .get, "/meta", id: "getAppMeta", summary: "The app's tool icons", tag: "App",
                responses: [200: .json("The app's meta", .object(properties: ["tool_icons": .object]))]
            )
            + operation(
                .post, "/files/upload", id: "uploadFile",
                summary: "Upload one file (multipart field `file`) for the end user named by the form field `user`", tag: "Files",
                body: multipartBody(
                    .object(properties: ["file": .binaryFile, "user": endUser]),
                    description: "`multipart/form-data` with the file in `file` and the end user in `user`"
                ),
                responses: [201: .json("The stored file", uploadedFile)],
                // 400: no file, an empty file, a malformed form or no `user`; 403: the plan's file storage is used up;
                // 413: the file or a field is too large; 415: a file type Relay does not accept.
                errors: [400, 403, 413, 415]
            )
            + operation(
                .get, "/files/{file_id}/preview", id: "previewFile",
                summary: "A file a message of the app carries: shown (pages and SVG always downloaded), or downloaded with `as_attachment`",
                tag: "Files",
                parameters: [
                    .pathID("file_id"), .query(name: "as_attachment", schema: .boolean(required: false)),
                    .query(name: "user", schema: .string(required: false)),
                ],
                responses: [200: .content("The file's bytes, as its media type", .any, .string(contentEncoding: .binary))],
                // 404: no such file of this app, or no message carries it yet.
                errors: [400, 404]
            )
    }

    static let appInfo: JSONSchema = .object(
        properties: [
            "name": .string, "description": .string, "tags": .array(items: .string), "mode": appMode, "author_name": .string,
        ]
    )

    static let appMode: JSONSchema = .string(allowedValues: "chat", "agent-chat", "advanced-chat", "workflow", "completion")

    private static let enabledFlag: JSONSchema = .object(properties: ["enabled": .boolean])

    static let appParameters: JSONSchema = .object(
        properties: [
            "opening_statement": .string,
            "suggested_questions": .array(items: .string),
            "suggested_questions_after_answer": enabledFlag,
            "speech_to_text": enabledFlag,
            "text_to_speech": enabledFlag,
            "retriever_resource": enabledFlag,
            "annotation_reply": annotationSetting,
            "more_like_this": enabledFlag,
            "sensitive_word_avoidance": enabledFlag,
            "user_input_form": .array(items: .object(description: "One form item: an object whose one key is its type")),
            "file_upload": .anyValue,
            "system_parameters": .object(
                properties: [
                    "file_size_limit": .integer, "image_file_size_limit": .integer, "audio_file_size_limit": .integer,
                    "video_file_size_limit": .integer, "workflow_file_upload_limit": .integer,
                ]
            ),
        ]
    )

    static let uploadedFile: JSONSchema = .object(
        properties: [
            "id": .uuid, "name": .string, "size": .integer, "extension": .string, "mime_type": .string, "created_by": .string,
            "created_at": .timestamp,
        ]
    )

    /// The end user a call is made for: required, at most 255 characters, not blank. Blank is what Swift trims as
    /// `.whitespaces`: tabs and the space separators (Unicode category Zs).
    static let endUser: JSONSchema = .string(
        description: "The end user, as the caller names them (at most 255 characters)", minLength: 1, maxLength: 255,
        pattern: "[^\\t \\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000]"
    )

    /// `user` as a query parameter.
    static let endUserQuery = OpenAPI.Parameter.query("user", endUser, required: true, description: "The end user")

    /// An id a caller may also leave empty or `null` (both count as absent).
    static let optionalID: JSONSchema = .one(of: [.uuid, .string(maxLength: 0), .null()], core: .init(required: false))

    // MARK: Conversations

    static var conversationOperations: [DocumentedOperation] {
        operation(
            .get, "/conversations", id: "listConversations", summary: "The end user's conversations with the chat app, newest first",
            tag: "Conversations",
            parameters: [
                endUserQuery,
                .query("last_id", .uuid, allowsEmpty: true, description: "The last conversation of the previous page"),
                .limit(upTo: ConversationsController.maxLimit, default: 20),
                .query(
                    "sort_by", .string(allowedValues: "created_at", "-created_at", "updated_at", "-updated_at", defaultValue: "-updated_at")
                ),
            ],
            responses: [200: .json("A slice of conversations", APIComponents.slice(of: conversation))],
            // 400: not a chat app, a bad parameter; 404: `last_id` names no conversation of the user.
            errors: [400, 404]
        )
            + operation(
                .post, "/conversations/{conversation_id}/name", id: "renameConversation",
                summary: "Rename a conversation, or name it from its first exchange (`auto_generate`)", tag: "Conversations",
                parameters: [.pathID("conversation_id")],
                body: jsonBody(
                    .object(
                        properties: [
                            "name": .string(required: false, nullable: true, maxLength: 255),
                            "auto_generate": .boolean(required: false, nullable: true),
                            "user": endUser,
                        ]
                    )
                ),
                responses: [200: .json("The renamed conversation", conversation)],
                errors: [404]
            )
            + operation(
                .delete, "/conversations/{conversation_id}", id: "deleteConversation", summary: "Delete a conversation and its messages",
                description: """
                    The end user comes in a JSON body, as Dify's SDKs send it. Relay also takes it from the `user` query \
                    parameter when there is no body, as older clients send it.
                    """,
                tag: "Conversations",
                parameters: [.pathID("conversation_id")],
                body: jsonBody(userBody),
                responses: [204: .noContent("Deleted")],
                errors: [404]
            )
            + operation(
                .get, "/conversations/{conversation_id}/messages", id: "listConversationMessages",
                summary: "A conversation's messages, newest slice first", tag: "Conversations",
                parameters: [.pathID("conversation_id")] + messageListQuery,
                responses: [200: .json("A slice of messages", APIComponents.slice(of: message))],
                errors: [400, 404]
            )
    }

    private static let messageListQuery: [OpenAPI.Parameter] = [
        endUserQuery,
        .query("first_id", .uuid, allowsEmpty: true, description: "The first message of the previous slice; older messages follow"),
        .limit(upTo: ConversationsController.maxLimit, default: 20),
    ]

    static let conversation: JSONSchema = .object(
        properties: [
            "id": .uuid, "name": .string, "inputs": APIComponents.openObject, "status": .string(allowedValues: "normal"),
            "introduction": .string, "created_at": .timestamp, "updated_at": .timestamp,
        ]
    )

    static let message: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "conversation_id": .string(format: .uuid, nullable: true),
            "inputs": APIComponents.openObject,
            "query": .string,
            "answer": .string,
            "message_files": .array(items: .anyValue),
            "feedback": .object(nullable: true, properties: ["rating": rating]),
            "retriever_resources": .array(items: retrieverResource),
            "agent_thoughts": .array(items: .anyValue),
            "created_at": .timestamp,
            "status": .string(allowedValues: "normal", "error"),
            "error": .string(nullable: true),
        ]
    )

    static let rating: JSONSchema = .string(allowedValues: "like", "dislike")

    /// One dataset segment an answer was given (`retriever_resources`).
    static let retrieverResource: JSONSchema = .object(
        properties: [
            "position": .integer, "dataset_id": .string, "dataset_name": .string, "document_id": .string, "document_name": .string,
            "data_source_type": .string, "segment_id": .string, "retriever_from": .string, "score": .number, "hit_count": .integer,
            "word_count": .integer, "segment_position": .integer, "index_node_hash": .string, "content": .string,
        ]
    )

    // MARK: Messages

    static var messageOperations: [DocumentedOperation] {
        operation(
            .get, "/messages", id: "listMessages", summary: "A conversation's messages (the conversation in the query)",
            tag: "Conversations",
            parameters: [.query("conversation_id", .uuid, required: true)] + messageListQuery,
            responses: [200: .json("A slice of messages", APIComponents.slice(of: message))],
            errors: [400, 404]
        )
            + operation(
                .post, "/messages/{message_id}/feedbacks", id: "rateMessage",
                summary: "Like or dislike an answer; a `null` rating removes the feedback", tag: "Conversations",
                parameters: [.pathID("message_id")],
                body: jsonBody(
                    .object(
                        properties: [
                            "rating": .string(required: false, nullable: true, allowedValues: "like", "dislike", nil),
                            "content": .string(required: false, nullable: true), "user": endUser,
                        ]
                    )
                ),
                responses: [200: .json("Saved", APIComponents.success)],
                errors: [404]
            )
            + operation(
                .get, "/messages/{message_id}/suggested", id: "suggestQuestions",
                summary: "Up to three questions the end user might ask next, from the app's model", tag: "Conversations",
                parameters: [.pathID("message_id"), endUserQuery],
                responses: [
                    200: .json("The questions", .object(properties: ["result": .string(allowedValues: "success"), "data": .array(items: .string)]))
                ],
                // 403: the app does not enable suggested questions after an answer.
                errors: [400, 403, 404]
            )
    }
}
