public import Foundation

/// One message of the prompt sent to a chat model.
public struct PromptMessage: Sendable, Equatable {
    public enum Role: String, Sendable {
        case system, user, assistant, tool
    }

    public let role: Role
    public let text: String
    /// Images for vision models: `https:` URLs or `data:` URLs.
    public let imageURLs: [String]
    /// The functions an assistant message called.
    public let toolCalls: [ToolCall]
    /// The call a `tool` message answers.
    public let toolCallID: String?

    public init(_ role: Role, _ text: String, imageURLs: [String] = [], toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.text = text
        self.imageURLs = imageURLs
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }
}

/// A function call a model asked for.
public struct ToolCall: Sendable, Equatable {
    public let id: String
    public let name: String
    /// The arguments as the model wrote them: a JSON object, as text.
    public let arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// A chat completion to ask of a provider.
public struct ChatCompletionRequest: Sendable {
    public let model: String
    public let messages: [PromptMessage]
    /// Dify's `completion_params`: `temperature`, `top_p`, `max_tokens`, `presence_penalty`, `frequency_penalty`, `stop`…
    public let parameters: [String: JSONValue]
    /// Functions the model may call (an agent's tools).
    public let tools: [AgentTool]

    public init(model: String, messages: [PromptMessage], parameters: [String: JSONValue] = [:], tools: [AgentTool] = []) {
        self.model = model
        self.messages = messages
        self.parameters = parameters
        self.tools = tools
    }
}

/// Token counts of one completion.
public struct TokenCounts: Sendable, Equatable {
    public var prompt: Int
    public var completion: Int

    public init(prompt: Int, completion: Int) {
        self.prompt = prompt
        self.completion = completion
    }

    public var total: Int { prompt + completion }

    /// An estimate for upstreams that report no usage: about four characters a token, the rule of thumb of
    /// OpenAI's tokenizers for English text (never zero for non-empty text).
    public static func estimate(prompt: [PromptMessage], completion: String) -> TokenCounts {
        func tokens(_ text: String) -> Int { text.isEmpty ? 0 : max(1, (text.utf8.count + 3) / 4) }
        return TokenCounts(prompt: prompt.reduce(0) { $0 + tokens($1.text) + 3 }, completion: tokens(completion))
    }
}

/// A piece of a streamed completion.
public enum ChatCompletionDelta: Sendable, Equatable {
    case text(String)
    /// The upstream's own count, when it reports one (usually last).
    case usage(TokenCounts)
    /// A piece of a function call: the call at `index`, its id and name when they first appear, then its arguments in
    /// pieces.
    case toolCall(index: Int, id: String?, name: String?, arguments: String)
}
