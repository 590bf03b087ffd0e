import Core
import Foundation
import Hummingbird
import Tenancy

/// `POST /chat-messages` and `/completion-messages`, blocking or streamed, and their stops.
///
/// Every message is charged by `ModelCallBilling`: a credit reserved before the model is called, settled with how the
/// call ended.
struct ChatMessagesController {
    let chat: ChatService
    let billing: ModelCallBilling
    let files: FileService
    let remoteImages: RemoteImageFetcher
    /// Reads documents sent with a message, as the knowledge pipeline reads them.
    let datasets: DatasetService
    let pingInterval: Duration
    let now: @Sendable () -> Date

    struct MessageRequest: Decodable {
        let query: String?
        let inputs: [String: JSONValue]?
        let user: String?
        let responseMode: String?
        let conversationID: String?
        let files: [FileReference]?
        let autoGenerateName: Bool?

        enum CodingKeys: String, CodingKey {
            case query, inputs, user
            case responseMode = "response_mode"
            case conversationID = "conversation_id"
            case files
            case autoGenerateName = "auto_generate_name"
        }
    }

    struct FileReference: Decodable {
        let type: String?
        let transferMethod: String
        let url: String?
        let uploadFileID: String?

        enum CodingKeys: String, CodingKey {
            case type
            case transferMethod = "transfer_method"
            case url
            case uploadFileID = "upload_file_id"
        }
    }

    struct StopRequest: Decodable {
        let user: String?
    }

    enum ResponseMode: String, CaseIterable {
        case blocking, streaming
    }

    func addRoutes(to group: RouterGroup<PublicContext>) {
        group.post("chat-messages") { request, context in try await self.answer(request, context, kind: .chat) }
        group.post("completion-messages") { request, context in try await self.answer(request, context, kind: .completion) }
        for path in ["chat-messages/:task_id/stop", "completion-messages/:task_id/stop"] {
            group.post(RouterPath(path)) { request, context in
                try context.grant.require(context.grant.app.mode.permission)
                var request = request
                let body = try await request.decodeJSON(as: StopRequest.self)
                let scope = try EndUserScope(context.grant, user: body.user)
                try await chat.stop(task: try context.parameters.require("task_id"), of: scope)
                return SuccessBody()
            }
        }
    }

    private func answer(_ request: Request, _ context: PublicContext, kind: ChatQuery.Kind) async throws -> Response {
        let grant = context.grant
        try grant.require(grant.app.mode.permission)
        var request = request
        let body = try await request.decodeJSON(as: MessageRequest.self)
        let scope = try EndUserScope(grant, user: body.user)
        let mode: ResponseMode = try parseEnum(body.responseMode ?? "blocking", field: "response_mode")
        var conversationID: ConversationID?
        if let text = body.conversationID, !text.isEmpty, kind == .chat {
            conversationID = try Identifier.parse(text, field: "conversation_id")
        }
        let references = body.files ?? []
        guard references.count <= Self.maxImages else {
            throw RelayError(.tooManyFiles, "A message may carry at most \(Self.maxImages) files")
        }
        let query = ChatQuery(
            kind: kind, app: grant.app, endUser: scope.endUser, query: body.query ?? "", inputs: body.inputs ?? [:],
            conversationID: conversationID, attachments: { try await attachments(references, grant: grant) },
            autoGenerateName: body.autoGenerateName ?? true
        )
        if kind == .chat, grant.app.mode == .advancedChat {
            return try await answerWithWorkflow(query, mode: mode, request: request, context: context)
        }
        let charge = try await billing.begin(for: grant)
        let turn: ChatTurn
        do {
            turn = try await chat.prepare(query)
        } catch {
            await charge.cancel()
            throw error
        }

        let envelope = Envelope(message: turn.message)
        switch mode {
        case .blocking:
            let result = await chat.run(turn) { _ in }
            await charge.settle(.message(result))
            if case .failed(let error) = result.ending { throw error }
            var body = envelope.fields(event: "message")
            body["mode"] = .string(grant.app.mode.rawValue)
            body["answer"] = .string(result.message.answer)
            body["metadata"] = Envelope.metadata(
                result.usage, resources: result.message.retrieverResources, annotation: result.message.annotationReply)
            return try JSONBody(.object(body)).response(from: request, context: context)
        case .streaming:
            let chat = self.chat
            // Agents answer in Dify's agent events: `agent_message` pieces and an `agent_thought` per tool call.
            let isAgent = grant.app.mode == .agentChat
            return EventStream.response(pingInterval: pingInterval) { frames in
                let result = await chat.run(turn) { event in
                    switch event {
                    case .text(let text):
                        var fields = envelope.fields(event: isAgent ? "agent_message" : "message")
                        fields["answer"] = .string(text)
                        frames.yield(EventStream.frame(.object(fields)))
                    case .thought(let thought):
                        var fields = envelope.fields(event: "agent_thought")
                        fields["id"] = .string(thought.id)
                        fields["position"] = .number(Double(thought.position))
                        fields["thought"] = .string(thought.thought)
                        fields["observation"] = .string(thought.observation)
                        fields["tool"] = .string(thought.tool)
                        fields["tool_input"] = .string(thought.toolInput)
                        fields["message_files"] = []
                        frames.yield(EventStream.frame(.object(fields)))
                    case .replace(let text):
                        var fields = envelope.fields(event: "message_replace")
                        fields["answer"] = .string(text)
                        fields["reason"] = "output_moderation"
                        frames.yield(EventStream.frame(.object(fields)))
                    }
                }
                await charge.settle(.message(result))
                switch result.ending {
                case .completed, .stopped:
                    var event = envelope.fields(event: "message_end")
                    event["metadata"] = Envelope.metadata(
                        result.usage, resources: result.message.retrieverResources, annotation: result.message.annotationReply)
                    frames.yield(EventStream.frame(.object(event)))
                case .failed(let error):
                    var event = envelope.fields(event: "error")
                    event["status"] = .number(Double(error.code.status))
                    event["code"] = .string(error.code.name)
                    event["message"] = .string(error.message)
                    frames.yield(EventStream.frame(.object(event)))
                }
            }
        }
    }

    /// Most files one message may carry.
    static let maxImages = 10

    /// Dify's file types a message may name.
    static let fileTypes = ["image", "document", "audio", "video", "custom"]

    /// The files of a query, checked against the app's `file_upload` settings: images as `data:` URLs for a vision
    /// model, documents' text (read as the knowledge pipeline reads them), and every file as the message lists it.
    /// Audio, video and custom files are listed, not sent to the model.
    func attachments(_ references: [FileReference], grant: PublicGrant) async throws -> ChatAttachments {
        guard !references.isEmpty else { return ChatAttachments() }
        let rules = FileUploadRules(try await chat.modelConfig(of: grant.app)?.fileUpload)
        var attached = ChatAttachments()
        for (index, reference) in references.enumerated() {
            let field = "files[\(index)]"
            let type = reference.type.flatMap { $0.isEmpty ? nil : $0 } ?? "image"
            guard Self.fileTypes.contains(type) else {
                throw RelayError.invalidParam("\(field).type", "\(field).type must be one of \(Self.fileTypes.joined(separator: ", "))", type: "enum")
            }
            switch reference.transferMethod {
            case "remote_url":
                guard let url = reference.url, !url.isEmpty else { throw RelayError.required("\(field).url") }
                try rules.check(type: type, method: "remote_url", fileExtension: (URL(string: url)?.pathExtension ?? ""), name: url, field: field)
                switch type {
                case "image":
                    let image = try await remoteImages.fetch(url, field: "\(field).url")
                    attached.images.append("data:\(image.mimeType);base64,\(image.data.base64EncodedString())")
                case "document":
                    throw RelayError.invalidParam(
                        "\(field).transfer_method",
                        "A document is read from an upload: send it with POST /files/upload and transfer_method local_file")
                default: break
                }
                attached.files.append(
                    ["id": .string(UUID().uuidString.lowercased()), "type": .string(type), "url": .string(url), "belongs_to": "user"])
            case "local_file":
                guard let text = reference.uploadFileID, !text.isEmpty else { throw RelayError.required("\(field).upload_file_id") }
                let file = try await files.file(
                    try Identifier.parse(text, field: "\(field).upload_file_id"), in: grant.workspaceID, app: grant.app.id)
                guard type == "custom" || type == file.category.rawValue else {
                    throw RelayError(
                        .unsupportedFileType,
                        "\(file.name) is \(file.category == .image ? "an" : "a") \(file.category.rawValue) file, not \(type == "image" ? "an image" : "a \(type) file")",
                        details: ["field": .string("\(field).type")])
                }
                try rules.check(type: type, method: "local_file", fileExtension: file.fileExtension, name: file.name, field: field)
                switch file.category {
                case .image:
                    attached.images.append("data:\(file.mimeType);base64,\(try files.contents(of: file).base64EncodedString())")
                case .document where type == "document":
                    attached.documents.append(
                        ChatAttachments.Document(
                            name: file.name,
                            text: try await datasets.text(
                                ofFile: file.name, fileExtension: file.fileExtension, content: try files.contents(of: file), field: field)))
                default: break
                }
                attached.files.append(
                    [
                        "id": .string(file.id.description), "type": .string(type), "url": "", "belongs_to": "user",
                        "filename": .string(file.name), "mime_type": .string(file.mimeType), "size": .number(Double(file.size)),
                        "transfer_method": "local_file", "upload_file_id": .string(file.id.description),
                    ])
            default:
                throw RelayError.invalidParam(
                    "\(field).transfer_method", "\(field).transfer_method must be one of remote_url, local_file", type: "enum"
                )
            }
        }
        try rules.checkCounts(images: references.filter { ($0.type ?? "image") == "image" }.count, all: references.count)
        return attached
    }
}

/// The fields every event (and the blocking answer) of one message carries.
struct Envelope: Sendable {
    let message: ChatMessage

    func fields(event: String) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "event": .string(event), "task_id": .string(message.taskID), "id": .string(message.id.description),
            "message_id": .string(message.id.description), "created_at": .number(message.createdAt.timeIntervalSince1970.rounded(.down)),
        ]
        if let conversation = message.conversationID { fields["conversation_id"] = .string(conversation.description) }
        return fields
    }

    /// A message's `metadata`: its usage, the segments it was given, and the annotation that answered it, if one did.
    static func metadata(_ usage: MessageUsage, resources: [RetrieverResource] = [], annotation: AnnotationReply? = nil) -> JSONValue {
        var metadata: [String: JSONValue] = ["usage": JSONValue(encoding: usage), "retriever_resources": JSONValue(encoding: resources)]
        if let annotation { metadata["annotation_reply"] = annotation.json }
        return .object(metadata)
    }
}

extension EndUserScope {
    /// The end user a Public API call names in `user`: required, at most 255 characters.
    init(_ grant: PublicGrant, user: String?) throws {
        guard let user = user?.trimmingCharacters(in: .whitespaces), !user.isEmpty else { throw RelayError.required("user") }
        guard user.count <= 255 else { throw RelayError.invalidParam("user", "user must be at most 255 characters") }
        self.init(workspaceID: grant.workspaceID, appID: grant.app.id, endUser: user)
    }
}
