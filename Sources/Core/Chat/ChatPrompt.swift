import Foundation

/// Builds what a model is sent for one query: the app's prompt with its `{{variable}}`s filled in, the remembered
/// exchanges, then the query.
enum ChatPrompt {
    static func chat(
        config: AppModelConfig, inputs: [String: JSONValue], history: [ChatMessage], query: String, images: [String], context: String? = nil
    ) -> [PromptMessage] {
        var messages: [PromptMessage] = []
        let system = withContext(render(config.prePrompt ?? "", inputs: inputs, query: query), context)
        if !system.isEmpty { messages.append(PromptMessage(.system, system)) }
        for exchange in history {
            messages.append(PromptMessage(.user, exchange.query))
            if !exchange.answer.isEmpty { messages.append(PromptMessage(.assistant, exchange.answer)) }
        }
        messages.append(PromptMessage(.user, query, imageURLs: images))
        return messages
    }

    /// A completion app sends one message: its prompt, then the query when there is one.
    static func completion(
        config: AppModelConfig, inputs: [String: JSONValue], query: String, images: [String], context: String? = nil
    )
        -> [PromptMessage]
    {
        let prompt = withContext(render(config.prePrompt ?? "", inputs: inputs, query: query), context)
        let refersToQuery = (config.prePrompt ?? "").contains("{{query}}")
        let text = [prompt, refersToQuery ? "" : query].filter { !$0.isEmpty }.joined(separator: "\n\n")
        return [PromptMessage(.user, text, imageURLs: images)]
    }

    /// Puts what the app's datasets gave for the query where the prompt says `{{#context#}}`, or, when it does not say,
    /// before the prompt in Dify's words.
    static func withContext(_ prompt: String, _ context: String?) -> String {
        guard let context else { return prompt.replacingOccurrences(of: "{{#context#}}", with: "") }
        if prompt.contains("{{#context#}}") { return prompt.replacingOccurrences(of: "{{#context#}}", with: context) }
        let preamble = """
            Use the following context as your learned knowledge, inside <context></context> XML tags.
            <context>
            \(context)
            </context>
            When answer to user:
            - If you don't know, just say that you don't know.
            - If you don't know when you are not sure, ask for clarification.
            Avoid mentioning that you obtained the information from the context.
            And answer according to the language of the user's question.
            """
        return prompt.isEmpty ? preamble : preamble + "\n\n" + prompt
    }

    /// Replaces `{{name}}` with the input of that name (and `{{query}}` with the query); unknown names become empty.
    static func render(_ template: String, inputs: [String: JSONValue], query: String) -> String {
        guard template.contains("{{") else { return template }
        var result = ""
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                rest = rest[open.lowerBound...]
                break
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if name == "query" {
                result += query
            } else if name.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil {
                result += text(of: inputs[name])
            } else {
                result += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    static func text(of value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case .number(let number)?: number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag)?: String(flag)
        case nil, .null?: ""
        case let other?: (try? String(decoding: JSONEncoder().encode(other), as: UTF8.self)) ?? ""
        }
    }
}
