public import Foundation

/// A chatflow query accepted and stored: the message, and the workflow run that answers it.
public struct ChatflowTurn: Sendable {
    public let message: ChatMessage
    public let run: WorkflowService.PreparedRun
}

extension ChatService {
    /// How many earlier exchanges a chatflow's LLM nodes may be given.
    static let chatflowHistory = 50

    /// Validates a query to an `advanced-chat` app against its published workflow, stores it (starting a conversation
    /// if it is the first) and returns the turn to run. Nothing is stored when it is refused.
    public func prepareChatflow(_ query: ChatQuery) async throws -> ChatflowTurn {
        let app = query.app
        guard let workflows else { throw RelayError(.appUnavailable, "This server runs no workflows") }
        if query.query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw RelayError.required("query") }
        let scope = EndUserScope(workspaceID: app.workspaceID, appID: app.id, endUser: query.endUser)
        var existing: Conversation?
        if let id = query.conversationID {
            guard let conversation = try await store.conversation(id, of: scope) else { throw RelayError.notFound("Conversation Not Exists.") }
            existing = conversation
        }
        var history: [ChatMessage] = []
        if let existing { history = try await store.history(of: existing.id, in: app.workspaceID, limit: Self.chatflowHistory) }
        let conversationID = existing?.id ?? ConversationID()
        let run = try await workflows.prepareRun(
            of: app, inputs: existing?.inputs ?? query.inputs, endUser: query.endUser, trigger: .appRun,
            chatflow: WorkflowService.ChatflowTurn(
                query: query.query, conversationID: conversationID, history: history.map { ($0.query, $0.answer) }
            )
        )
        let date = existing.map { max(now(), $0.updatedAt.addingTimeInterval(0.000_001)) } ?? now()
        let started =
            existing == nil
            ? Conversation(
                id: conversationID, workspaceID: app.workspaceID, appID: app.id, endUser: query.endUser,
                name: query.autoGenerateName ? Conversation.name(fromFirstQuery: query.query) : "New conversation",
                inputs: run.run.inputs, introduction: "", createdAt: date, updatedAt: date
            ) : nil
        let message = ChatMessage(
            id: MessageID(), workspaceID: app.workspaceID, appID: app.id, conversationID: conversationID, endUser: query.endUser,
            taskID: run.run.taskID, inputs: run.run.inputs, query: query.query, provider: "workflow", model: run.run.workflowID,
            files: [], createdAt: date
        )
        try await store.begin(message, starting: started)
        return ChatflowTurn(message: message, run: run)
    }

    /// Runs the chatflow's workflow, passing its events to `onEvent`, and stores the message with the answer its answer
    /// nodes gave. A stop request (the run's task is the message's) ends both as stopped.
    public func runChatflow(_ turn: ChatflowTurn, onEvent: @escaping @Sendable (WorkflowEvent) async -> Void) async -> ChatResult {
        let ending: ChatResult.Ending
        let run: WorkflowRun
        do {
            guard let workflows else { throw RelayError(.appUnavailable, "This server runs no workflows") }
            run = try await workflows.execute(turn.run, onEvent: onEvent)
            switch run.status {
            case .succeeded: ending = .completed
            case .stopped: ending = .stopped
            case .failed, .running: ending = .failed(RelayError(.workflowNodeFailed, run.error ?? "The workflow failed"))
            }
        } catch {
            run = turn.run.run
            ending = .failed(error as? RelayError ?? RelayError(.workflowNodeFailed, "The workflow could not be run", underlying: error))
        }
        let usage = MessageUsage(tokens: run.usage ?? TokenCounts(prompt: 0, completion: 0), price: .free, latency: run.elapsedTime)
        let message = await storeEnd(of: turn.message, answer: run.outputs?["answer"]?.string ?? "", usage: usage, ending: ending)
        return ChatResult(ending: ending, message: message, usage: usage)
    }
}
