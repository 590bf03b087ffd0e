import Foundation

/// Dify's `single` retrieval for chat apps: the app's own model is offered one function per dataset, described by the
/// dataset's description, and the dataset whose function it calls is the one searched.
extension ChatService {
    /// The dataset the model calls for `query`, or `nil` when it calls none (then the answer has no context).
    static func pickDataset(
        for query: String, among datasets: [Dataset], model: ModelProviderService.ResolvedModel, config: AppModelConfig
    ) async throws -> DatasetID? {
        let tools = datasets.map { dataset in
            AgentTool(
                reference: AgentToolReference(providerID: "dataset", toolName: dataset.id.description), name: dataset.id.description,
                description: dataset.description.isEmpty
                    ? "useful for when you want to answer queries about the \(dataset.name)" : dataset.description,
                parameters: [
                    "type": "object", "properties": ["query": ["type": "string", "description": "the query to search for"]], "required": ["query"],
                ]
            )
        }
        let request = ChatCompletionRequest(
            model: config.model.name,
            messages: [PromptMessage(.system, "You are a helpful AI assistant."), PromptMessage(.user, query)],
            parameters: ["temperature": .number(0)], tools: tools
        )
        var called: String?
        for try await delta in model.provider.chat(request, credentials: model.credentials) {
            if case .toolCall(_, _, let name?, _) = delta, called == nil { called = name }
        }
        return called.flatMap { name in datasets.first { $0.id.description == name }?.id }
    }
}
