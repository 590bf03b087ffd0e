public import Foundation

extension ChatService {
    public func conversations(
        of scope: EndUserScope, after lastID: ConversationID?, limit: Int, order: ConversationOrder
    )
        async throws -> Slice<Conversation>
    {
        guard let slice = try await store.conversations(of: scope, after: lastID, limit: limit, order: order) else {
            throw RelayError.notFound("Last Conversation Not Exists.")
        }
        return slice
    }

    public func messages(
        of conversation: ConversationID, scope: EndUserScope, before firstID: MessageID?, limit: Int
    )
        async throws -> Slice<ChatMessage>
    {
        guard try await store.conversation(conversation, of: scope) != nil else { throw RelayError.notFound("Conversation Not Exists.") }
        guard let slice = try await store.messages(of: conversation, scope: scope, before: firstID, limit: limit) else {
            throw RelayError.notFound("First Message Not Exists.")
        }
        return slice
    }

    /// Renames a conversation, or with `autoGenerate` asks the app's model for a title of its first query (falling
    /// back to the query itself when the model cannot be asked).
    public func rename(
        _ id: ConversationID, of scope: EndUserScope, app: App, to name: String?, autoGenerate: Bool
    )
        async throws -> Conversation
    {
        guard try await store.conversation(id, of: scope) != nil else { throw RelayError.notFound("Conversation Not Exists.") }
        let newName: String
        if autoGenerate {
            // The first query: page back to the conversation's start (a long one has more than a page).
            var page = try await store.messages(of: id, scope: scope, before: nil, limit: 100)
            while let current = page, current.hasMore, let oldest = current.items.first {
                page = try await store.messages(of: id, scope: scope, before: oldest.id, limit: 100)
            }
            let query = page?.items.first?.query ?? ""
            let title =
                query.isEmpty
                ? nil
                : await ask(
                    app: app,
                    "Write a title of at most six words for a conversation that begins with the message below. "
                        + "Answer with the title only.\n\n\(query)"
                )
            // The first line of the answer is the title; a model may add explanations after it.
            let line = title?.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces.union(["\""])) }
            newName = line.flatMap { $0.isEmpty ? nil : String($0.prefix(100)) } ?? Conversation.name(fromFirstQuery: query)
        } else {
            guard let name = name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else { throw RelayError.required("name") }
            guard name.count <= 255 else { throw RelayError.invalidParam("name", "name must be at most 255 characters") }
            newName = name
        }
        guard let renamed = try await store.rename(id, of: scope, to: newName, at: now()) else {
            throw RelayError.notFound("Conversation Not Exists.")
        }
        return renamed
    }

    public func delete(_ id: ConversationID, of scope: EndUserScope) async throws {
        guard try await store.delete(id, of: scope) else { throw RelayError.notFound("Conversation Not Exists.") }
    }

    /// One of the end user's messages; 404 when it is another's or none.
    public func message(_ id: MessageID, of scope: EndUserScope) async throws -> ChatMessage {
        guard let message = try await store.message(id, of: scope) else { throw RelayError.notFound("Message Not Exists.") }
        return message
    }

    public func setFeedback(_ feedback: ChatMessage.Feedback?, on message: MessageID, of scope: EndUserScope) async throws {
        guard try await store.setFeedback(feedback, on: message, of: scope, at: now()) else { throw RelayError.notFound("Message Not Exists.") }
    }

    /// Up to three follow-up questions the end user might ask next, from the app's model; the app must enable them.
    public func suggestedQuestions(after id: MessageID, of scope: EndUserScope, app: App) async throws -> [String] {
        guard let message = try await store.message(id, of: scope) else { throw RelayError.notFound("Message Not Exists.") }
        guard let config = try await store.modelConfig(of: app.id, in: app.workspaceID),
            config.suggestedQuestionsAfterAnswer?.enabled == true
        else {
            throw RelayError(.suggestedQuestionsDisabled, "Suggested questions after answer are disabled for this app")
        }
        let prompt =
            "Suggest three short questions the user could ask next, one per line, with no numbering.\n\n"
            + "User: \(message.query)\nAssistant: \(message.answer)"
        guard let answer = await ask(app: app, prompt) else { return [] }
        return answer.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces.union(["-", "*", "•", "\""])) }
            .filter { !$0.isEmpty }
            .prefix(3).map { String($0.prefix(200)) }
    }

    /// One short answer from the app's model, or `nil` when it cannot be had.
    func ask(app: App, _ prompt: String) async -> String? {
        guard let config = try? await store.modelConfig(of: app.id, in: app.workspaceID),
            let model = try? await providers.resolve(provider: config.model.provider, model: config.model.name, in: app.workspaceID)
        else { return nil }
        let request = ChatCompletionRequest(
            model: config.model.name, messages: [PromptMessage(.user, prompt)], parameters: ["max_tokens": 100, "temperature": .number(0.2)]
        )
        var answer = ""
        do {
            for try await delta in model.provider.chat(request, credentials: model.credentials) {
                if case .text(let text) = delta { answer += text }
            }
        } catch {
            return nil
        }
        return answer.isEmpty ? nil : answer
    }
}
