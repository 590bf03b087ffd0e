import Foundation

/// `llm`: the prompt, with its `{{#node.variable#}}` references filled in, sent to the workspace's model; its answer
/// streams as `text_chunk` when an end node returns it as it is.
struct LLMStep: WorkflowStep {
    let provider: String
    let model: String
    let parameters: [String: JSONValue]
    let prompt: [(role: PromptMessage.Role, text: String)]
    /// Exchanges of the conversation a chatflow's LLM remembers (0 for none).
    let memory: Int
    /// The JSON schema the answer must follow, when structured output is on: the answer's object is `structured_output`.
    let schema: JSONValue?

    init(_ configuration: inout NodeConfiguration) {
        let model = configuration["model"]
        provider = model["provider"].string ?? ""
        self.model = model["name"].string ?? ""
        if provider.isEmpty { configuration.problem("model.provider", "the model's provider is required") }
        if self.model.isEmpty { configuration.problem("model.name", "the model's name is required") }
        parameters = model["completion_params"].object ?? [:]
        var prompt: [(PromptMessage.Role, String)] = []
        switch configuration["prompt_template"] {
        case .array(let messages):
            for (index, message) in messages.enumerated() {
                guard let role = PromptMessage.Role(rawValue: message["role"].string ?? ""), role != .tool else {
                    configuration.problem("prompt_template[\(index)].role", "role must be system, user or assistant")
                    continue
                }
                prompt.append((role, message["text"].string ?? ""))
            }
        case .object(let completion):
            // A completion model's prompt: one text, sent as the user's.
            prompt.append((.user, completion["text"]?.string ?? ""))
        default:
            configuration.problem("prompt_template", "prompt_template must be a list of messages")
        }
        if prompt.allSatisfy({ $0.1.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            configuration.problem("prompt_template", "the prompt is empty")
        }
        self.prompt = prompt
        if configuration["structured_output_enabled"].bool == true || configuration["structured_output"]["enabled"].bool == true {
            let given = configuration["structured_output"]["schema"]
            if given["type"] != "object" { configuration.problem("structured_output.schema", "structured output needs a JSON schema of type object") }
            schema = given
        } else {
            schema = nil
        }
        // Dify's chatflow LLM remembers when it has a `memory` (not switched off), its window's size or 50 exchanges.
        let remembers = configuration["memory"]
        if remembers.object != nil, remembers["enabled"].bool != false {
            memory = remembers["window"]["enabled"].bool == true ? max(0, remembers["window"]["size"].int ?? 50) : 50
        } else {
            memory = 0
        }
    }

    var callsOut: Bool { true }

    var outputs: [String: WorkflowValueType]? {
        schema == nil ? ["text": .string, "usage": .object] : ["text": .string, "usage": .object, "structured_output": .object]
    }

    var reads: [(field: String, selector: [String])] {
        prompt.enumerated().flatMap { index, message in
            VariableReference.all(in: message.text).map { ("prompt_template[\(index)].text", $0.selector) }
        }
    }

    func run(_ context: StepContext) async throws -> StepResult {
        let run = context.run
        let resolved = try await run.services.models.resolve(provider: provider, model: model, in: run.workspaceID)
        var messages = prompt.map { PromptMessage($0.role, context.pool.render($0.text)) }
        if memory > 0, !run.history.isEmpty {
            // What was said before goes after the system prompt, before this turn's messages.
            let remembered = run.history.suffix(memory).flatMap { [PromptMessage(.user, $0.query), PromptMessage(.assistant, $0.answer)] }
            let systemCount = messages.prefix { $0.role == .system }.count
            messages.insert(contentsOf: remembered, at: systemCount)
        }
        if let schema {
            // Asked in words, which every chat model understands, rather than with a response format some servers refuse.
            let instruction = "Answer with one JSON object only, no other text, that follows this JSON schema: \(schema.text)"
            let systemCount = messages.prefix { $0.role == .system }.count
            messages.insert(PromptMessage(.system, instruction), at: systemCount)
        }
        let request = ChatCompletionRequest(model: model, messages: messages, parameters: parameters)
        let streamed = context.iteration == nil && run.streamedSelectors.contains([context.node.id, "text"])
        var text = ""
        var counts: TokenCounts?
        for try await delta in resolved.provider.chat(request, credentials: resolved.credentials) {
            switch delta {
            case .text(let piece):
                text += piece
                if streamed { await run.emit(.textChunk(piece, selector: [context.node.id, "text"])) }
            case .usage(let usage):
                counts = usage
            case .toolCall:
                break
            }
        }
        let usage = counts ?? TokenCounts.estimate(prompt: messages, completion: text)
        let inputs: [String: JSONValue] = [
            "prompts": .array(messages.map { ["role": .string($0.role.rawValue), "text": .string($0.text)] })
        ]
        var structured: [String: JSONValue] = [:]
        if let schema { structured["structured_output"] = try Self.object(in: text, following: schema) }
        return StepResult(
            inputs: inputs,
            outputs: structured.merging([
                "text": .string(text),
                "usage": [
                    "prompt_tokens": .number(Double(usage.prompt)), "completion_tokens": .number(Double(usage.completion)),
                    "total_tokens": .number(Double(usage.total)),
                ],
            ]) { _, own in own },
            usage: usage
        )
    }

    /// The JSON object of a model's answer (inside a code fence or not), with the properties `schema` requires.
    static func object(in text: String, following schema: JSONValue) throws -> JSONValue {
        guard let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"), start < end,
            let object = try? JSONDecoder().decode(JSONValue.self, from: Data(text[start...end].utf8)), object.object != nil
        else {
            throw RelayError(.workflowNodeFailed, "The model's answer is not a JSON object: \(text.prefix(200))")
        }
        let missing = schema["required"].array.compactMap(\.string).filter { object.object?[$0] == nil }
        guard missing.isEmpty else {
            throw RelayError(.workflowNodeFailed, "The model's answer lacks \(missing.joined(separator: ", ")), which the schema requires")
        }
        return object
    }
}
