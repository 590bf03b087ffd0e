public import Foundation
public import Logging
import Synchronization

/// What an end user asks of a chat or completion app.
public struct ChatQuery: Sendable {
    public enum Kind: Sendable {
        case chat, completion
    }

    public var kind: Kind
    public var app: App
    public var endUser: String
    public var query: String
    public var inputs: [String: JSONValue]
    public var conversationID: ConversationID?
    /// Image URLs (`https:` or `data:`) for a vision model.
    /// Fetches the query's files once it is otherwise accepted (so a refused query fetches nothing): image URLs
    /// (`https:` or `data:`) for a vision model, and the files as the message lists them.
    public var attachments: @Sendable () async throws -> ChatAttachments
    /// Whether a new conversation is named from its first query (else "New conversation").
    public var autoGenerateName: Bool

    public init(
        kind: Kind, app: App, endUser: String, query: String, inputs: [String: JSONValue], conversationID: ConversationID? = nil,
        attachments: @escaping @Sendable () async throws -> ChatAttachments = { ChatAttachments() },
        autoGenerateName: Bool = true
    ) {
        self.kind = kind
        self.app = app
        self.endUser = endUser
        self.query = query
        self.inputs = inputs
        self.conversationID = conversationID
        self.attachments = attachments
        self.autoGenerateName = autoGenerateName
    }
}

/// A query accepted and stored, ready to be answered.
public struct ChatTurn: Sendable {
    public let message: ChatMessage
    let completion: ChatCompletionRequest
    let model: ModelProviderService.ResolvedModel
    /// What answers instead of the model: an annotation the query matched, or moderation's preset response.
    let direct: DirectAnswer?
    /// Checks the answer as it comes, when the app moderates outputs.
    let outputModeration: Moderation?
    /// Rounds of tool calls an agent may take (0 without tools).
    let agentIterations: Int
}

/// How a turn ended.
public struct ChatResult: Sendable {
    public enum Ending: Sendable {
        case completed
        /// Stopped by its end user (or its client went away): the answer is what had been generated.
        case stopped
        case failed(RelayError)
    }

    public let ending: Ending
    public let message: ChatMessage
    public let usage: MessageUsage
}

/// Chat and completion apps: their model configuration, answering queries through the workspace's model providers,
/// and the conversations and messages that result.
public struct ChatService: Sendable {
    let store: ChatStore
    public let providers: ModelProviderService
    public let tasks: RunningTasks
    /// The tools `agent-chat` apps call; `nil` serves agents without tools.
    let toolbox: (any AgentToolbox)?
    /// What answers `advanced-chat` apps: their published workflow.
    let workflows: WorkflowService?
    /// The knowledge bases apps answer from (`dataset_configs`).
    let knowledge: DatasetService?
    /// Answers from apps' annotations before their models are asked.
    let annotations: AnnotationService?
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        store: ChatStore, providers: ModelProviderService, tasks: RunningTasks, toolbox: (any AgentToolbox)? = nil,
        workflows: WorkflowService? = nil, knowledge: DatasetService? = nil, annotations: AnnotationService? = nil, logger: Logger,
        now: @escaping @Sendable () -> Date
    ) {
        self.knowledge = knowledge
        self.annotations = annotations
        self.store = store
        self.providers = providers
        self.tasks = tasks
        self.toolbox = toolbox
        self.workflows = workflows
        self.logger = logger
        self.now = now
    }

    // MARK: Configuration

    public func modelConfig(of app: App) async throws -> AppModelConfig? {
        try await store.modelConfig(of: app.id, in: app.workspaceID)
    }

    /// Checks and stores an app's model configuration; the 400 lists every problem in `details.problems`.
    public func saveModelConfig(_ config: AppModelConfig, of app: App) async throws {
        guard app.mode == .chat || app.mode == .completion || app.mode == .agentChat else {
            throw RelayError.invalidParam("mode", "A \(app.mode.rawValue) app is configured by its workflow, not a model config")
        }
        var problems = config.problems(providers: try await providers.available(in: app.workspaceID))
        if app.mode == .agentChat {
            for (index, reference) in config.agentTools.enumerated() {
                do {
                    _ = try await agentTool(reference, in: app.workspaceID)
                } catch let error as RelayError {
                    problems.append(("agent_mode.tools[\(index)]", error.message))
                }
            }
        }
        if let knowledge, let selection = config.knowledge {
            if let routing = config.datasetConfigs?["retrieval_model"], routing != .null, routing != "single", routing != "multiple" {
                problems.append(("dataset_configs.retrieval_model", "retrieval_model must be single or multiple"))
            }
            for (index, id) in selection.datasets.enumerated() where try await knowledge.store.dataset(id, in: app.workspaceID) == nil {
                problems.append(("dataset_configs.datasets.datasets[\(index)].dataset.id", "this workspace has no dataset \(id)"))
            }
        }
        if let refusal = RelayError.problems(problems) { throw refusal }
        guard try await store.saveModelConfig(config, of: app.id, in: app.workspaceID, at: now()) else {
            throw RelayError.notFound("App not found")
        }
    }

    // MARK: Answering

    /// Validates a query against the app, stores it (starting a conversation if it is the first), and returns the turn
    /// to run. Nothing is stored when it is refused.
    public func prepare(_ query: ChatQuery) async throws -> ChatTurn {
        let app = query.app
        switch (query.kind, app.mode) {
        case (.chat, .chat), (.chat, .agentChat), (.completion, .completion): break
        case (.chat, .advancedChat):
            throw RelayError(.appUnavailable, "This app answers through its workflow: use prepareChatflow")
        case (.chat, _): throw RelayError(.notChatApp, "Please check if your app mode matches the right API route.")
        case (.completion, _): throw RelayError(.notCompletionApp, "Please check if your app mode matches the right API route.")
        }
        guard let config = try await store.modelConfig(of: app.id, in: app.workspaceID) else {
            throw RelayError(
                .appUnavailable,
                "This app has no model configured yet: set one with POST /console/api/apps/\(app.id)/model-config"
            )
        }
        if query.kind == .chat, query.query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw RelayError.required("query") }
        let scope = EndUserScope(workspaceID: app.workspaceID, appID: app.id, endUser: query.endUser)
        var existing: Conversation?
        if let id = query.conversationID {
            guard let conversation = try await store.conversation(id, of: scope) else {
                throw RelayError.notFound("Conversation Not Exists.")
            }
            existing = conversation
        }
        // A conversation keeps the inputs it started with, as in Dify.
        let inputs = try existing?.inputs ?? config.inputForm.accept(query.inputs)
        // A completion app whose form names a variable `query` is asked through it, as Dify's SDKs send it.
        var query = query
        if query.kind == .completion, query.query.isEmpty, let asked = inputs["query"] { query.query = ChatPrompt.text(of: asked) }
        let model = try await providers.resolve(provider: config.model.provider, model: config.model.name, in: app.workspaceID)
        // A conversation's messages keep their order even when two arrive within the clock's resolution, or through
        // instances whose clocks differ a little: each is later than the conversation's last.
        let date = existing.map { max(now(), $0.updatedAt.addingTimeInterval(0.000_001)) } ?? now()

        let attached = try await query.attachments()
        let (images, files) = (attached.images, attached.files)
        // Documents are read after the query; the query itself is what datasets, annotations and moderation see.
        let asked = attached.documents.isEmpty ? query.query : query.query + "\n\n" + attached.documentText
        let messageID = MessageID()
        // A query moderation flags, or an annotation answers, asks neither the datasets nor the model.
        var direct: DirectAnswer?
        let moderation = config.moderation
        if let moderation, moderation.inputs.enabled,
            await flags(moderation, Moderation.inputText(query: query.query, inputs: inputs), in: app.workspaceID)
        {
            direct = .moderated(moderation.inputs.presetResponse)
        } else if let reply = await annotations?.reply(to: query.query, of: app, message: messageID) {
            direct = .annotation(reply)
        }
        var resources: [RetrievalRecord] = []
        if direct == nil, let knowledge, let selection = config.knowledge,
            !query.query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        {
            let filter = try await knowledge.metadataFilter(
                selection.filtering, query: query.query, inputs: inputs, datasets: selection.datasets, in: app.workspaceID)
            if selection.single {
                resources = try await knowledge.retrieveRouted(query.query, among: selection.datasets, in: app.workspaceID, filter: filter) {
                    datasets in try await Self.pickDataset(for: query.query, among: datasets, model: model, config: config)
                }
            } else {
                resources = try await knowledge.retrieve(
                    query.query, from: selection.datasets, topK: selection.topK, scoreThreshold: selection.scoreThreshold, method: nil,
                    in: app.workspaceID, filter: filter
                )
            }
        }
        let context = config.knowledge == nil ? nil : resources.map(\.segment.content).joined(separator: "\n")
        var started: Conversation?
        let messages: [PromptMessage]
        switch query.kind {
        case .chat:
            let history: [ChatMessage]
            if let existing, config.memoryWindow > 0 {
                history = try await store.history(of: existing.id, in: app.workspaceID, limit: config.memoryWindow)
            } else {
                history = []
            }
            if existing == nil {
                started = Conversation(
                    id: ConversationID(), workspaceID: app.workspaceID, appID: app.id, endUser: query.endUser,
                    name: query.autoGenerateName ? Conversation.name(fromFirstQuery: query.query) : "New conversation",
                    inputs: inputs, introduction: config.openingStatement ?? "", createdAt: date, updatedAt: date
                )
            }
            messages = ChatPrompt.chat(config: config, inputs: inputs, history: history, query: asked, images: images, context: context)
        case .completion:
            messages = ChatPrompt.completion(config: config, inputs: inputs, query: asked, images: images, context: context)
        }
        var tools: [AgentTool] = []
        if app.mode == .agentChat, direct == nil {
            for reference in config.agentTools { tools.append(try await agentTool(reference, in: app.workspaceID)) }
        }
        let message = ChatMessage(
            id: messageID, workspaceID: app.workspaceID, appID: app.id, conversationID: existing?.id ?? started?.id,
            endUser: query.endUser, taskID: UUID().uuidString.lowercased(), inputs: inputs, query: query.query,
            provider: config.model.provider, model: config.model.name, files: files,
            retrieverResources: resources.enumerated().map { RetrieverResource(position: $0.offset + 1, $0.element) }, createdAt: date
        )
        try await store.begin(message, starting: started)
        return ChatTurn(
            message: message,
            completion: ChatCompletionRequest(
                model: config.model.name, messages: messages, parameters: config.model.completionParams ?? [:], tools: tools
            ),
            model: model, direct: direct, outputModeration: moderation?.outputs.enabled == true ? moderation : nil,
            agentIterations: tools.isEmpty ? 0 : config.agentIterations
        )
    }

    private func agentTool(_ reference: AgentToolReference, in workspace: WorkspaceID) async throws -> AgentTool {
        guard let toolbox else {
            throw RelayError(.appUnavailable, "This server runs no tools for agents")
        }
        return try await toolbox.tool(reference, in: workspace)
    }

    /// Generates the answer, passing each piece (and, for an agent, each tool round) to `onEvent` as it happens, and
    /// stores how it ended. A stop request, or cancellation of the calling task, cancels the upstream request and keeps
    /// what had been generated.
    public func run(_ turn: ChatTurn, onEvent: @escaping @Sendable (ChatEvent) async -> Void) async -> ChatResult {
        let started = ContinuousClock.now
        let progress = Mutex<(answer: String, counts: TokenCounts?, stopped: Bool)>(("", nil, false))
        let model = turn.model
        let (toolbox, endUser, workspace) = (self.toolbox, turn.message.endUser, turn.message.workspaceID)
        let moderation = turn.outputModeration
        let generation = Task {
            if let direct = turn.direct {
                for piece in Self.pieces(of: direct.text) {
                    progress.withLock { $0.answer += piece }
                    await onEvent(.text(piece))
                }
                return
            }
            var checkedUpTo = 0
            var messages = turn.completion.messages
            var round = 0
            var position = 0
            while true {
                round += 1
                // The last round offers no tools, so that the agent answers.
                let tools = round <= turn.agentIterations ? turn.completion.tools : []
                let request = ChatCompletionRequest(
                    model: turn.completion.model, messages: messages, parameters: turn.completion.parameters, tools: tools
                )
                var said = ""
                var calls: [Int: (id: String, name: String, arguments: String)] = [:]
                for try await delta in model.provider.chat(request, credentials: model.credentials) {
                    switch delta {
                    case .text(let text):
                        said += text
                        let answer = progress.withLock { progress in
                            progress.answer += text
                            return progress.answer
                        }
                        await onEvent(.text(text))
                        // Keywords are looked for as the answer grows (each time by a few hundred characters), as Dify does.
                        if let moderation, moderation.kind == .keywords, answer.count - checkedUpTo >= Self.moderationStep {
                            checkedUpTo = answer.count
                            if moderation.containsKeyword(answer) {
                                progress.withLock { $0.answer = moderation.outputs.presetResponse }
                                await onEvent(.replace(moderation.outputs.presetResponse))
                                return
                            }
                        }
                    case .usage(let counts):
                        progress.withLock { progress in
                            let sum = progress.counts.map {
                                TokenCounts(prompt: $0.prompt + counts.prompt, completion: $0.completion + counts.completion)
                            }
                            progress.counts = sum ?? counts
                        }
                    case .toolCall(let index, let id, let name, let arguments):
                        var call = calls[index] ?? ("", "", "")
                        if let id { call.id = id }
                        if let name { call.name += name }
                        call.arguments += arguments
                        calls[index] = call
                    }
                }
                guard !calls.isEmpty, let toolbox else { return }
                // Some servers send no call ids; the tool results must still name the call they answer.
                let ordered = calls.sorted { $0.key < $1.key }.map { index, call in
                    ToolCall(id: call.id.isEmpty ? "call_\(round)_\(index)" : call.id, name: call.name, arguments: call.arguments)
                }
                messages.append(PromptMessage(.assistant, said, toolCalls: ordered))
                for call in ordered {
                    let observation: String
                    if let tool = tools.first(where: { $0.name == call.name }) {
                        let arguments = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(call.arguments.utf8))) ?? [:]
                        do {
                            observation = try await toolbox.invoke(tool, arguments: arguments, user: endUser, in: workspace)
                        } catch let error as RelayError {
                            observation = "tool error: \(error.message)"
                        }
                    } else {
                        observation = "there is no tool named \(call.name)"
                    }
                    try Task.checkCancellation()
                    messages.append(PromptMessage(.tool, observation, toolCallID: call.id))
                    position += 1
                    await onEvent(
                        .thought(
                            AgentThought(
                                id: UUID().uuidString.lowercased(), position: position, thought: said, tool: call.name,
                                toolInput: call.arguments, observation: observation
                            )
                        )
                    )
                }
            }
        }
        tasks.register(turn.message.taskID) {
            progress.withLock { $0.stopped = true }
            generation.cancel()
        }
        let outcome = await withTaskCancellationHandler {
            await generation.result
        } onCancel: {
            progress.withLock { $0.stopped = true }
            generation.cancel()
        }
        tasks.remove(turn.message.taskID)

        var (answer, counts, stopped) = progress.withLock { $0 }
        // The whole answer is checked once more at its end; flagged, it is replaced by the preset response.
        if let moderation, turn.direct == nil, !answer.isEmpty, answer != moderation.outputs.presetResponse,
            await flags(moderation, answer, in: turn.message.workspaceID)
        {
            answer = moderation.outputs.presetResponse
            await onEvent(.replace(answer))
        }
        let ending: ChatResult.Ending
        switch outcome {
        case .success: ending = stopped ? .stopped : .completed
        case .failure(let error):
            if stopped || error is CancellationError {
                ending = .stopped
            } else {
                ending = .failed(error as? RelayError ?? RelayError(.completionRequestError, "The model request failed", underlying: error))
            }
        }
        let elapsed = ContinuousClock.now - started
        let latency = elapsed.seconds
        let tokens =
            turn.direct == nil
            ? counts ?? TokenCounts.estimate(prompt: turn.completion.messages, completion: answer) : TokenCounts(prompt: 0, completion: 0)
        let usage = MessageUsage(tokens: tokens, price: model.descriptor.price, latency: latency)
        var ended = turn.message
        if case .annotation(let reply) = turn.direct { ended.annotationReply = reply }
        let message = await storeEnd(of: ended, answer: answer, usage: usage, ending: ending)
        return ChatResult(ending: ending, message: message, usage: usage)
    }

    /// Stores how a message ended (its answer, usage and status) and returns it so. Stored even when the caller was
    /// cancelled: a new task does not inherit its cancellation. A failure to store is logged: the client has its answer,
    /// and the stored message stays `running` with an empty answer.
    func storeEnd(of running: ChatMessage, answer: String, usage: MessageUsage, ending: ChatResult.Ending) async -> ChatMessage {
        var message = running
        message.answer = answer
        message.usage = usage
        switch ending {
        case .completed: message.status = .normal
        case .stopped: message.status = .stopped
        case .failed(let error):
            message.status = .error
            message.error = error.message
        }
        let (finished, store, date) = (message, self.store, now())
        if case .failure(let error) = await Task(operation: { try await store.finish(finished, at: date) }).result {
            logger.error(
                "The end of a message could not be stored",
                metadata: ["message.id": "\(message.id)", "error": "\(RelayError.logDescription(of: error))"]
            )
        }
        return message
    }

    /// How much an answer grows between two keyword checks: Dify's moderation buffer.
    static let moderationStep = 300

    /// Whether moderation flags `text`. A moderation model that cannot be asked flags nothing (as in Dify), and is
    /// logged.
    func flags(_ moderation: Moderation, _ text: String, in workspace: WorkspaceID) async -> Bool {
        switch moderation.kind {
        case .keywords:
            return moderation.containsKeyword(text)
        case .openAIModeration:
            do {
                return try await providers.moderate(text, in: workspace)
            } catch {
                logger.warning(
                    "The moderation model could not be asked; nothing flagged", metadata: ["error": "\(RelayError.logDescription(of: error))"])
                return false
            }
        }
    }

    /// An annotation's answer as streamed: a word at a time (with the spaces after it), as a model's would come.
    static func pieces(of text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            if character.isWhitespace, !current.isEmpty, current.last?.isWhitespace == false {
                current.append(character)
                continue
            }
            if !character.isWhitespace, current.last?.isWhitespace == true {
                pieces.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// Stops an end user's running task, wherever it runs. A task that has ended is left as it is.
    public func stop(task taskID: String, of scope: EndUserScope) async throws {
        guard let message = try await store.message(task: taskID, in: scope.workspaceID, app: scope.appID), message.endUser == scope.endUser
        else {
            throw RelayError.notFound("No task \(taskID) of this user")
        }
        guard message.status == .running, !tasks.stop(taskID) else { return }
        try await store.requestStop(of: message.id, in: scope.workspaceID, at: now())
    }
}
