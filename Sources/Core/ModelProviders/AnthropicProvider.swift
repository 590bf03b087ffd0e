import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Anthropic's Messages API (`POST /v1/messages`, streamed), with Dify's credential names.
struct AnthropicProvider: ModelProvider {
    let client: UpstreamClient

    static let version = "2023-06-01"
    /// Anthropic requires `max_tokens`; this is sent when an app's completion parameters do not say.
    static let defaultMaxTokens = 4096

    var descriptor: ProviderDescriptor {
        ProviderDescriptor(
            id: "anthropic", label: "Anthropic",
            credentialFields: [
                CredentialField(name: "anthropic_api_key", label: "API Key", isRequired: true, isSecret: true),
                CredentialField(name: "anthropic_api_url", label: "API URL", isRequired: false, isSecret: false),
            ],
            predefinedModels: Self.models, acceptsAnyModel: false
        )
    }

    /// Anthropic's models and list prices (USD per million tokens).
    static let models: [ModelDescriptor] = [
        ModelDescriptor(
            name: "claude-sonnet-4-5", type: .llm, features: ["vision", "tool-call", "stream-tool-call", "agent-thought"],
            contextSize: 200_000, price: ModelPrice(input: 3, output: 15)
        ),
        ModelDescriptor(
            name: "claude-haiku-4-5", type: .llm, features: ["vision", "tool-call", "stream-tool-call", "agent-thought"],
            contextSize: 200_000, price: ModelPrice(input: 1, output: 5)
        ),
        ModelDescriptor(
            name: "claude-opus-4-1", type: .llm, features: ["vision", "tool-call", "stream-tool-call", "agent-thought"],
            contextSize: 200_000, price: ModelPrice(input: 15, output: 75)
        ),
    ]

    func validate(_ credentials: [String: String]) async throws -> [String] {
        var request = HTTPClientRequest(url: try base(credentials) + "/v1/models")
        authorize(&request, credentials)
        return try await client.modelList(request, provider: descriptor.id)
    }

    func chat(_ request: ChatCompletionRequest, credentials: [String: String]) -> AsyncThrowingStream<ChatCompletionDelta, any Error> {
        .producing { continuation in
            var upstream = HTTPClientRequest(url: try base(credentials) + "/v1/messages")
            upstream.method = .POST
            upstream.headers.add(name: "Content-Type", value: "application/json")
            authorize(&upstream, credentials)
            upstream.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(Self.body(of: request))))
            let response = try await client.send(upstream, provider: descriptor.id)
            var counts = TokenCounts(prompt: 0, completion: 0)
            try await client.readEvents(of: response, provider: descriptor.id) { event, payload in
                guard let message = try? JSONDecoder().decode(Event.self, from: Data(payload.utf8)) else { return true }
                switch message.type ?? event {
                case "message_start":
                    counts.prompt = message.message?.usage?.inputTokens ?? 0
                case "content_block_delta":
                    if let text = message.delta?.text, !text.isEmpty { continuation.yield(.text(text)) }
                case "message_delta":
                    counts.completion = message.usage?.outputTokens ?? counts.completion
                case "message_stop":
                    continuation.yield(.usage(counts))
                    return false
                case "error":
                    let reason = message.error?.message ?? "an error event"
                    throw RelayError(.completionRequestError, "The anthropic upstream failed mid-answer: \(reason)")
                default:
                    break
                }
                return true
            }
        }
    }

    private func base(_ credentials: [String: String]) throws -> String {
        let url = credentials["anthropic_api_url"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.anthropic.com"
        return try UpstreamClient.baseURL(url, credential: "anthropic_api_url", dropping: "/v1")
    }

    private func authorize(_ request: inout HTTPClientRequest, _ credentials: [String: String]) {
        request.headers.add(name: "x-api-key", value: credentials["anthropic_api_key"] ?? "")
        request.headers.add(name: "anthropic-version", value: Self.version)
    }

    /// The Messages API body: system prompt apart, images as base64 or URL sources, `max_tokens` always.
    static func body(of request: ChatCompletionRequest) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for (name, value) in request.parameters where ["temperature", "top_p", "top_k", "max_tokens"].contains(name) { body[name] = value }
        if let stop = request.parameters["stop"] { body["stop_sequences"] = stop }
        body["max_tokens"] = body["max_tokens"] ?? .number(Double(defaultMaxTokens))
        body["model"] = .string(request.model)
        body["stream"] = true
        let system = request.messages.filter { $0.role == .system }.map(\.text).joined(separator: "\n\n")
        if !system.isEmpty { body["system"] = .string(system) }
        body["messages"] = .array(
            request.messages.filter { $0.role != .system }.map { message in
                var content: [JSONValue] = message.imageURLs.map(imageBlock)
                content.append(["type": "text", "text": .string(message.text)])
                return ["role": .string(message.role.rawValue), "content": .array(content)]
            }
        )
        return .object(body)
    }

    static func imageBlock(_ url: String) -> JSONValue {
        // data:image/png;base64,....
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") {
            let mediaType = url[url.index(url.startIndex, offsetBy: 5)..<comma].replacingOccurrences(of: ";base64", with: "")
            return [
                "type": "image",
                "source": ["type": "base64", "media_type": .string(mediaType), "data": .string(String(url[url.index(after: comma)...]))],
            ]
        }
        return ["type": "image", "source": ["type": "url", "url": .string(url)]]
    }

    private struct Event: Decodable {
        struct Usage: Decodable {
            let inputTokens: Int?
            let outputTokens: Int?

            enum CodingKeys: String, CodingKey {
                case inputTokens = "input_tokens"
                case outputTokens = "output_tokens"
            }
        }
        struct Message: Decodable { let usage: Usage? }
        struct Delta: Decodable { let text: String? }
        struct Failure: Decodable { let message: String? }
        let type: String?
        let message: Message?
        let delta: Delta?
        let usage: Usage?
        let error: Failure?
    }
}
