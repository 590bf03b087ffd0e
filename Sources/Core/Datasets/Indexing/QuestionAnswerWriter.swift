import Foundation

/// Dify's `qa_model` documents: a model writes question-and-answer pairs from each chunk, in the document's language;
/// each pair becomes a segment whose content is the question (what is searched) and whose answer is returned with it.
struct QuestionAnswerWriter: Sendable {
    let models: ModelProviderService

    /// Dify's prompt (`GENERATOR_QA_PROMPT`), `{language}` filled in.
    static func prompt(language: String) -> String {
        """
        <Task> The user will send a long text. Generate a Question and Answer pairs only using the knowledge in the long text. \
        Please think step by step.Step 1: Understand and summarize the main content of this text.
        Step 2: What key information or concepts are mentioned in this text?
        Step 3: Decompose or combine multiple pieces of information and concepts.
        Step 4: Generate questions and answers based on these key information and concepts.
        <Constraints> The questions should be clear and detailed, and the answers should be detailed and complete. You must answer in \
        \(language), in a style that is clear and detailed in \(language). No language other than \(language) should be used. 
        <Format> Use the following format: Q1:
        A1:
        Q2:
        A2:...
        <QA Pairs>
        """
    }

    /// The pairs the workspace's default LLM writes from `chunk`; a 400-class failure when the workspace has none.
    func pairs(from chunk: String, language: String, in workspace: WorkspaceID) async throws -> [(question: String, answer: String)] {
        guard let model = try await models.defaultModel(.llm, in: workspace) else {
            throw RelayError(
                .providerNotInitialize,
                "qa_model documents need the workspace's default LLM to write their questions and answers: set one with "
                    + "POST /console/api/workspaces/current/default-model"
            )
        }
        let resolved = try await models.resolve(provider: model.provider, model: model.model, type: .llm, in: workspace)
        let request = ChatCompletionRequest(
            model: model.model, messages: [PromptMessage(.system, Self.prompt(language: language)), PromptMessage(.user, chunk)],
            parameters: ["temperature": .number(0.01), "max_tokens": .number(2000)]
        )
        var text = ""
        for try await delta in resolved.provider.chat(request, credentials: resolved.credentials) {
            if case .text(let piece) = delta { text += piece }
        }
        return Self.parse(text)
    }

    /// Dify's reading of the model's answer: `Qn:` … `An:` … up to the next `Qn:`, pairs with both parts non-empty;
    /// the answer's line breaks keep no leading spaces.
    static func parse(_ text: String) -> [(question: String, answer: String)] {
        let pattern = #/Q\d+:\s*(.*?)\s*A\d+:\s*([\s\S]*?)(?=Q\d+:|$)/#.dotMatchesNewlines(false)
        var pairs: [(question: String, answer: String)] = []
        for match in text.matches(of: pattern) {
            let question = String(match.output.1).trimmingCharacters(in: .whitespacesAndNewlines)
            var answer = String(match.output.2).trimmingCharacters(in: .whitespacesAndNewlines)
            answer = answer.replacing(#/\n\s*/#, with: "\n")
            if !question.isEmpty, !answer.isEmpty { pairs.append((question, answer)) }
        }
        return pairs
    }
}
