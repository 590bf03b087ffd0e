import Foundation

/// A provider whose calls are counted and timed in ``ModelCallMetrics``, for one workspace. `ModelProviderService`
/// hands these out, so every model call (chat, workflow, agent, plugin callback, indexing) is measured in one place.
struct MeteredModelProvider: ModelProvider {
    let base: any ModelProvider
    let metrics: ModelCallMetrics
    let workspace: WorkspaceID

    var descriptor: ProviderDescriptor { base.descriptor }

    func validate(_ credentials: [String: String]) async throws -> [String] {
        try await base.validate(credentials)
    }

    func chat(_ request: ChatCompletionRequest, credentials: [String: String]) -> AsyncThrowingStream<ChatCompletionDelta, any Error> {
        let upstream = base.chat(request, credentials: credentials)
        let key = ModelCallMetrics.Key(provider: descriptor.id, model: request.model, type: .llm)
        let (metrics, workspace) = (self.metrics, self.workspace)
        return AsyncThrowingStream { continuation in
            // Forwards the upstream's deltas; cancelling the consumer cancels this task, and so the upstream request.
            let forwarding = Task {
                let start = ContinuousClock.now
                var reported: TokenCounts?
                var answer = ""
                // As `ChatService` counts them: the upstream's own figures, else an estimate of what came back.
                func tokens() -> TokenCounts? {
                    reported ?? (answer.isEmpty ? nil : TokenCounts.estimate(prompt: request.messages, completion: answer))
                }
                do {
                    for try await delta in upstream {
                        switch delta {
                        case .usage(let counts): reported = counts
                        case .text(let text): answer += text
                        case .toolCall: break
                        }
                        continuation.yield(delta)
                    }
                    // A cancelled stream just ends: the call was cut short all the same.
                    let failure: (any Error)? = Task.isCancelled ? CancellationError() : nil
                    metrics.record(key, duration: .now - start, tokens: tokens(), error: failure, workspace: workspace)
                    continuation.finish()
                } catch {
                    let failure: any Error = Task.isCancelled ? CancellationError() : error
                    metrics.record(key, duration: .now - start, tokens: tokens(), error: failure, workspace: workspace)
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in forwarding.cancel() }
        }
    }

    func embed(_ texts: [String], model: String, credentials: [String: String]) async throws -> Embeddings {
        let key = ModelCallMetrics.Key(provider: descriptor.id, model: model, type: .textEmbedding)
        let start = ContinuousClock.now
        do {
            let embeddings = try await base.embed(texts, model: model, credentials: credentials)
            metrics.record(
                key, duration: .now - start, tokens: TokenCounts(prompt: embeddings.tokens, completion: 0), error: nil, workspace: workspace
            )
            return embeddings
        } catch {
            metrics.record(key, duration: .now - start, tokens: nil, error: error, workspace: workspace)
            throw error
        }
    }

    func rerank(_ query: String, documents: [String], model: String, credentials: [String: String]) async throws -> [Double] {
        let key = ModelCallMetrics.Key(provider: descriptor.id, model: model, type: .rerank)
        let start = ContinuousClock.now
        do {
            let scores = try await base.rerank(query, documents: documents, model: model, credentials: credentials)
            metrics.record(key, duration: .now - start, tokens: nil, error: nil, workspace: workspace)
            return scores
        } catch {
            metrics.record(key, duration: .now - start, tokens: nil, error: error, workspace: workspace)
            throw error
        }
    }

    func moderate(_ text: String, model: String, credentials: [String: String]) async throws -> Bool {
        try await measured(model, .moderation) { try await base.moderate(text, model: model, credentials: credentials) }
    }

    func transcribe(_ audio: Data, fileName: String, mimeType: String, model: String, credentials: [String: String]) async throws -> String {
        try await measured(model, .speech2text) {
            try await base.transcribe(audio, fileName: fileName, mimeType: mimeType, model: model, credentials: credentials)
        }
    }

    /// Timed to the first byte: the audio itself streams on.
    func speak(_ text: String, voice: String, model: String, credentials: [String: String]) async throws -> SpokenAudio {
        try await measured(model, .tts) { try await base.speak(text, voice: voice, model: model, credentials: credentials) }
    }

    private func measured<T>(_ model: String, _ type: ModelType, _ call: () async throws -> T) async throws -> T {
        let key = ModelCallMetrics.Key(provider: descriptor.id, model: model, type: type)
        let start = ContinuousClock.now
        do {
            let result = try await call()
            metrics.record(key, duration: .now - start, tokens: nil, error: nil, workspace: workspace)
            return result
        } catch {
            metrics.record(key, duration: .now - start, tokens: nil, error: error, workspace: workspace)
            throw error
        }
    }
}
