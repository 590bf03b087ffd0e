import Core
import OpenAPIKit

/// Answering (chat and completion messages, blocking or streamed) and workflow runs.
extension PublicAPIDocumentation {
    static var workflowOperations: [DocumentedOperation] {
        answerOperations + runOperations
    }

    // MARK: Answers

    static var answerOperations: [DocumentedOperation] {
        operation(
            .post, "/chat-messages", id: "sendChatMessage",
            summary: "Send a chat message and get the answer, blocking or streamed",
            description: """
                Chat, agent and advanced-chat (chatflow) apps. `response_mode: streaming` answers with server-sent events: \
                `message` (or `agent_message`) pieces, `agent_thought` per tool call, a chatflow's workflow events, then \
                `message_end`, or `error` when the answer failed after the stream began.
                """,
            tag: "Chat",
            body: jsonBody(messageRequest(kind: .chat)),
            responses: [200: .jsonOrEventStream("The answer (blocking), or its events (streaming)", answer(kind: .chat))],
            errors: answerErrors
        )
            + operation(
                .post, "/completion-messages", id: "sendCompletionMessage",
                summary: "Complete a text with a completion app, blocking or streamed",
                tag: "Chat",
                body: jsonBody(messageRequest(kind: .completion)),
                responses: [200: .jsonOrEventStream("The answer (blocking), or its events (streaming)", answer(kind: .completion))],
                errors: answerErrors
            )
            + operation(
                .post, "/chat-messages/{task_id}/stop", id: "stopChatMessage", summary: "Stop an answer being generated",
                tag: "Chat", parameters: [.pathString("task_id", description: "The `task_id` of the answer's events")],
                body: jsonBody(userBody), responses: [200: .json("Stopped (or already ended)", APIComponents.success)],
                errors: [404]
            )
            + operation(
                .post, "/completion-messages/{task_id}/stop", id: "stopCompletionMessage", summary: "Stop a completion being generated",
                tag: "Chat", parameters: [.pathString("task_id", description: "The `task_id` of the answer's events")],
                body: jsonBody(userBody), responses: [200: .json("Stopped (or already ended)", APIComponents.success)],
                errors: [404]
            )
    }

    /// 400: a bad field, the wrong app mode, no model configured, no credits left, the model or a tool failed;
    /// 404: the conversation or an uploaded file; 413/415: an image too large or not an image; 502/503/504: a plugin
    /// (model or agent tool) crashed, cannot start or timed out.
    static let answerErrors = [400, 404, 413, 415, 502, 503, 504]

    enum AnswerKind {
        case chat, completion
    }

    static let userBody: JSONSchema = .object(properties: ["user": endUser])

    static let responseMode: JSONSchema = .string(
        required: false, nullable: true, allowedValues: "blocking", "streaming", nil, defaultValue: "blocking"
    )

    static func messageRequest(kind: AnswerKind) -> JSONSchema {
        var properties: OrderedDictionary<String, JSONSchema> = [
            "query": kind == .chat
                ? .string(description: "The end user's message", pattern: "\\S")
                : .string(required: false, nullable: true, description: "The text to complete (the app's prompt may use the inputs alone)"),
            "inputs": .object(required: false, nullable: true, description: "Values for the app's input form"),
            "user": endUser,
            "response_mode": responseMode,
            "files": .array(
                required: false, nullable: true, description: "Images for a vision model", maxItems: ChatMessagesController.maxImages,
                items: fileReference
            ),
        ]
        if kind == .chat {
            properties["conversation_id"] = optionalID
            properties["auto_generate_name"] = .boolean(required: false, nullable: true)
        }
        return .object(properties: properties)
    }

    /// A file sent with a message: by URL (an image is fetched; audio, video and custom files are listed), or uploaded
    /// before (`POST /files/upload`). Documents are read for the model after the query.
    static let fileReference: JSONSchema = .one(
        of: [
            .object(
                properties: [
                    "type": imageType, "transfer_method": .string(allowedValues: "remote_url"),
                    "url": .string(format: .uri, description: "The file's http(s) URL", pattern: "^https?://[^/?#]"),
                ]
            ),
            .object(
                properties: [
                    "type": imageType, "transfer_method": .string(allowedValues: "local_file"),
                    "upload_file_id": .string(format: .uuid, description: "The upload's id"),
                ]
            ),
        ],
        core: .init()
    )

    private static let imageType: JSONSchema = .string(
        required: false, nullable: true, description: "Dify's file type; `image` when absent", allowedValues: "image", "document", "audio", "video", "custom", nil)

    /// The blocking answer: the fields every event of the message carries, the answer and its usage.
    static func answer(kind: AnswerKind) -> JSONSchema {
        .object(
            properties: [
                "event": .string(allowedValues: "message"),
                "task_id": .string,
                "id": .uuid,
                "message_id": .uuid,
                // A completion has no conversation.
                "conversation_id": kind == .chat ? .uuid : .uuid.optional,
                "mode": appMode,
                "answer": .string,
                "created_at": .timestamp,
                "metadata": .object(properties: ["usage": messageUsage, "retriever_resources": .array(items: retrieverResource)]),
            ]
        )
    }

    /// `metadata.usage`: token counts, prices as decimal strings, latency in seconds.
    static let messageUsage: JSONSchema = .object(
        properties: [
            "prompt_tokens": .integer, "prompt_unit_price": .string, "prompt_price_unit": .string, "prompt_price": .string,
            "completion_tokens": .integer, "completion_unit_price": .string, "completion_price_unit": .string,
            "completion_price": .string, "total_tokens": .integer, "total_price": .string, "currency": .string, "latency": .number,
        ]
    )

    // MARK: Workflow runs

    static var runOperations: [DocumentedOperation] {
        operation(
            .post, "/workflows/run", id: "runWorkflow", summary: "Run the workflow app's published workflow, blocking or streamed",
            description: """
                `response_mode: streaming` answers with server-sent events: `workflow_started`, `node_started`, \
                `node_finished`, `text_chunk`, `workflow_finished`, or `error` when the run could not go on.
                """,
            tag: "Workflows",
            body: jsonBody(
                .object(
                    properties: [
                        "inputs": .object(description: "Values for the start node's form"), "user": endUser, "response_mode": responseMode,
                    ]
                )
            ),
            responses: [
                200: .jsonOrEventStream(
                    "The finished run (blocking), or its events (streaming)",
                    .object(properties: ["task_id": .string, "workflow_run_id": .uuid, "data": workflowRun])
                )
            ],
            // 400: a bad field, not a workflow app, not published, no credits left, a node failed;
            // 502/503/504: a plugin node crashed, cannot start or timed out.
            errors: [400, 502, 503, 504]
        )
            + operation(
                .get, "/workflows/run/{workflow_run_id}", id: "getWorkflowRun", summary: "One run of the app's workflow",
                tag: "Workflows", parameters: [.pathID("workflow_run_id")],
                responses: [200: .json("The run", workflowRun)],
                errors: [404]
            )
            + operation(
                .post, "/workflows/tasks/{task_id}/stop", id: "stopWorkflowTask", summary: "Stop a running workflow",
                tag: "Workflows", parameters: [.pathString("task_id", description: "The `task_id` of the run's events")],
                body: jsonBody(userBody), responses: [200: .json("Stopped (or already ended)", APIComponents.success)],
                errors: [404]
            )
            + operation(
                .get, "/workflows/logs", id: "listWorkflowLogs", summary: "The app's workflow runs, newest first", tag: "Workflows",
                parameters: [
                    .query("status", .string(allowedValues: "running", "succeeded", "failed", "stopped"), allowsEmpty: true),
                    .page, .limit(upTo: WorkflowService.maxLimit, default: 20),
                ],
                responses: [200: .json("A page of runs", APIComponents.page(of: workflowLog))],
                errors: [400]
            )
    }

    /// A run as `workflow_finished`, the blocking answer and `GET /workflows/run/{id}` give it.
    static let workflowRun: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "workflow_id": .string(description: "The version run, or `draft`"),
            "status": .string(allowedValues: "running", "succeeded", "failed", "stopped"),
            "inputs": APIComponents.openObject,
            "outputs": .object(nullable: true),
            "error": .string(nullable: true),
            "elapsed_time": .number(description: "Seconds"),
            "total_tokens": .integer,
            "total_steps": .integer,
            "created_at": .timestamp,
            "finished_at": .integer(nullable: true, description: "Unix time in seconds; `null` while running"),
        ]
    )

    static let workflowLog: JSONSchema = .object(
        properties: [
            "id": .uuid, "workflow_run": workflowRun, "created_from": .string(allowedValues: "service-api"),
            "created_by_role": .string(allowedValues: "end_user"),
            "created_by_end_user": .object(properties: ["session_id": .string]), "created_at": .timestamp,
        ]
    )
}
