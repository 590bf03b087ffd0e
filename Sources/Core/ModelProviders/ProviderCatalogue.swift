import Foundation

/// The model providers this server offers every workspace, by id.
public struct ProviderCatalogue: Sendable {
    public let providers: [any ModelProvider]

    public init(providers: [any ModelProvider]) {
        self.providers = providers
    }

    public func provider(_ id: String) -> (any ModelProvider)? {
        providers.first { $0.descriptor.id == id }
    }

    /// The built-in providers: OpenAI, any OpenAI-compatible server by its URL, and Anthropic.
    public static func builtIn(client: UpstreamClient) -> ProviderCatalogue {
        ProviderCatalogue(providers: [
            OpenAICompatibleProvider(
                descriptor: ProviderDescriptor(
                    id: "openai", label: "OpenAI",
                    credentialFields: [
                        CredentialField(name: "openai_api_key", label: "API Key", isRequired: true, isSecret: true),
                        CredentialField(name: "openai_organization", label: "Organization", isRequired: false, isSecret: false),
                        CredentialField(name: "openai_api_base", label: "API Base", isRequired: false, isSecret: false),
                    ],
                    predefinedModels: openAIModels, acceptsAnyModel: false
                ),
                client: client,
                baseURL: { credentials in
                    let base = credentials["openai_api_base"] ?? ""
                    guard !base.isEmpty else { return ("https://api.openai.com/v1", "openai_api_base") }
                    // Dify lets the base omit `/v1`.
                    return (base.hasSuffix("/v1") || base.hasSuffix("/v1/") ? base : base + "/v1", "openai_api_base")
                },
                apiKey: { $0["openai_api_key"] }
            ),
            OpenAICompatibleProvider(
                descriptor: ProviderDescriptor(
                    id: "openai_api_compatible", label: "OpenAI-API-compatible",
                    credentialFields: [
                        CredentialField(name: "endpoint_url", label: "API endpoint URL", isRequired: true, isSecret: false),
                        CredentialField(name: "api_key", label: "API Key", isRequired: false, isSecret: true),
                    ],
                    predefinedModels: [], acceptsAnyModel: true
                ),
                client: client,
                baseURL: { ($0["endpoint_url"] ?? "", "endpoint_url") },
                apiKey: { $0["api_key"] }
            ),
            AnthropicProvider(client: client),
        ])
    }

    /// OpenAI's models and list prices (USD per million tokens).
    static let openAIModels: [ModelDescriptor] = [
        ModelDescriptor(
            name: "gpt-4o", type: .llm, features: ["vision", "tool-call", "stream-tool-call", "agent-thought"],
            contextSize: 128_000, price: ModelPrice(input: Decimal(string: "2.5")!, output: 10)
        ),
        ModelDescriptor(
            name: "gpt-4o-mini", type: .llm, features: ["vision", "tool-call", "stream-tool-call", "agent-thought"],
            contextSize: 128_000, price: ModelPrice(input: Decimal(string: "0.15")!, output: Decimal(string: "0.6")!)
        ),
        ModelDescriptor(
            name: "gpt-4.1", type: .llm, features: ["vision", "tool-call", "stream-tool-call", "agent-thought"],
            contextSize: 1_047_576, price: ModelPrice(input: 2, output: 8)
        ),
        ModelDescriptor(
            name: "gpt-4.1-mini", type: .llm, features: ["vision", "tool-call", "stream-tool-call", "agent-thought"],
            contextSize: 1_047_576, price: ModelPrice(input: Decimal(string: "0.4")!, output: Decimal(string: "1.6")!)
        ),
        ModelDescriptor(
            name: "text-embedding-3-small", type: .textEmbedding, contextSize: 8_191,
            price: ModelPrice(input: Decimal(string: "0.02")!, output: 0)
        ),
        ModelDescriptor(
            name: "text-embedding-3-large", type: .textEmbedding, contextSize: 8_191,
            price: ModelPrice(input: Decimal(string: "0.13")!, output: 0)
        ),
        ModelDescriptor(name: "omni-moderation-latest", type: .moderation),
        ModelDescriptor(name: "whisper-1", type: .speech2text),
        ModelDescriptor(name: "gpt-4o-mini-transcribe", type: .speech2text),
        ModelDescriptor(name: "tts-1", type: .tts),
        ModelDescriptor(name: "tts-1-hd", type: .tts),
        ModelDescriptor(name: "gpt-4o-mini-tts", type: .tts),
    ]
}
