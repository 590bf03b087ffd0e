import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A provider speaking OpenAI's chat-completions API: OpenAI itself, and every server that copies it (vLLM, Ollama,
/// llama.cpp's server, LiteLLM…), told apart only by their credential forms and base URLs.
struct OpenAICompatibleProvider: ModelProvider {
    let descriptor: ProviderDescriptor
    let client: UpstreamClient
    /// Reads the base URL (ending before `/chat/completions`) from the credentials, and names the field it came from.
    let baseURL: @Sendable ([String: String]) -> (url: String, credential: String)
    /// Reads the bearer key from the credentials; `nil` sends none (a local server).
    let apiKey: @Sendable ([String: String]) -> String?

    func validate(_ credentials: [String: String]) async throws -> [String] {
        var request = HTTPClientRequest(url: try base(credentials) + "/models")
        authorize(&request, credentials)
        return try await client.modelList(request, provider: descriptor.id)
    }

    func chat(_ request: ChatCompletionRequest, credentials: [String: String]) -> AsyncThrowingStream<ChatCompletionDelta, any Error> {
        .producing { continuation in try await stream(request, credentials: credentials, into: continuation) }
    }

    private func stream(
        _ completion: ChatCompletionRequest, credentials: [String: String],
        into continuation: AsyncThrowingStream<ChatCompletionDelta, any Error>.Continuation
    ) async throws {
        let url = try base(credentials) + "/chat/completions"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "text/event-stream")
        authorize(&request, credentials)
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(Self.body(of: completion))))

        let response = try await client.send(request, provider: descriptor.id)
        try await client.readEvents(of: response, provider: descriptor.id) { _, payload in
            if payload == "[DONE]" { return false }
            guard let chunk = try? JSONDecoder().decode(Chunk.self, from: Data(payload.utf8)) else { return true }
            // OpenAI reports a failure mid-stream as an event carrying `error`.
            if chunk.error != nil {
                let message = UpstreamFailure.message(in: ByteBuffer(string: payload)) ?? "an error event"
                throw RelayError(.completionRequestError, "The \(descriptor.id) upstream failed mid-answer: \(message)")
            }
            for choice in chunk.choices ?? [] {
                if let text = choice.delta?.content, !text.isEmpty { continuation.yield(.text(text)) }
                for call in choice.delta?.toolCalls ?? [] {
                    continuation.yield(
                        .toolCall(index: call.index ?? 0, id: call.id, name: call.function?.name, arguments: call.function?.arguments ?? "")
                    )
                }
            }
            if let usage = chunk.usage {
                continuation.yield(.usage(TokenCounts(prompt: usage.promptTokens ?? 0, completion: usage.completionTokens ?? 0)))
            }
            return true
        }
    }

    /// `POST /embeddings` with every text in one call; vectors come back in the order of `index`.
    func embed(_ texts: [String], model: String, credentials: [String: String]) async throws -> Embeddings {
        guard !texts.isEmpty else { return Embeddings(vectors: [], tokens: 0) }
        var request = HTTPClientRequest(url: try base(credentials) + "/embeddings")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        authorize(&request, credentials)
        let body: JSONValue = ["model": .string(model), "input": .array(texts.map(JSONValue.string)), "encoding_format": "float"]
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response = try await client.send(request, provider: descriptor.id)
        let received: ByteBuffer
        do {
            received = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw RelayError(.completionRequestError, "The \(descriptor.id) upstream failed mid-answer: \(UpstreamFailure.describe(error))")
        }
        guard let answer = try? JSONDecoder().decode(EmbeddingAnswer.self, from: Data(received.readableBytesView)),
            answer.data.count == texts.count
        else {
            throw RelayError(
                .completionRequestError, "The \(descriptor.id) upstream answered the embedding call with something else than \(texts.count) vectors")
        }
        let vectors = answer.data.sorted { ($0.index ?? 0) < ($1.index ?? 0) }.map(\.embedding)
        return Embeddings(vectors: vectors, tokens: answer.usage?.promptTokens ?? answer.usage?.totalTokens ?? 0)
    }

    /// The rerank call of Jina, Cohere, vLLM and Xinference: `POST /rerank {model, query, documents}` answered with
    /// `{results: [{index, relevance_score}]}`.
    func rerank(_ query: String, documents: [String], model: String, credentials: [String: String]) async throws -> [Double] {
        guard !documents.isEmpty else { return [] }
        var request = HTTPClientRequest(url: try base(credentials) + "/rerank")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        authorize(&request, credentials)
        let body: JSONValue = [
            "model": .string(model), "query": .string(query), "documents": .array(documents.map(JSONValue.string)),
            "top_n": .number(Double(documents.count)),
        ]
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let response = try await client.send(request, provider: descriptor.id)
        let received: ByteBuffer
        do {
            received = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw RelayError(.completionRequestError, "The \(descriptor.id) upstream failed mid-answer: \(UpstreamFailure.describe(error))")
        }
        guard let answer = try? JSONDecoder().decode(RerankAnswer.self, from: Data(received.readableBytesView)) else {
            throw RelayError(.completionRequestError, "The \(descriptor.id) upstream answered the rerank call with something else than results")
        }
        var scores = Array(repeating: 0.0, count: documents.count)
        for result in answer.results where documents.indices.contains(result.index) { scores[result.index] = result.relevanceScore }
        return scores
    }

    private struct RerankAnswer: Decodable {
        struct Result: Decodable {
            let index: Int
            let relevanceScore: Double

            enum CodingKeys: String, CodingKey {
                case index
                case relevanceScore = "relevance_score"
            }
        }
        let results: [Result]
    }

    private struct EmbeddingAnswer: Decodable {
        struct Item: Decodable {
            let index: Int?
            let embedding: [Float]
        }
        struct Usage: Decodable {
            let promptTokens: Int?
            let totalTokens: Int?

            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case totalTokens = "total_tokens"
            }
        }
        let data: [Item]
        let usage: Usage?
    }

    func base(_ credentials: [String: String]) throws -> String {
        let (url, credential) = baseURL(credentials)
        return try UpstreamClient.baseURL(url, credential: credential)
    }

    func authorize(_ request: inout HTTPClientRequest, _ credentials: [String: String]) {
        if let key = apiKey(credentials), !key.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let organization = credentials["openai_organization"], !organization.isEmpty {
            request.headers.add(name: "OpenAI-Organization", value: organization)
        }
    }

    /// The request body: the model, the messages, `stream` with usage, then the app's completion parameters.
    static func body(of request: ChatCompletionRequest) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for (name, value) in request.parameters where allowedParameters.contains(name) { body[name] = value }
        body["model"] = .string(request.model)
        body["stream"] = true
        body["stream_options"] = ["include_usage": true]
        body["messages"] = .array(
            request.messages.map { message in
                let content: JSONValue
                if message.imageURLs.isEmpty {
                    content = .string(message.text)
                } else {
                    content = .array(
                        [["type": "text", "text": .string(message.text)]]
                            + message.imageURLs.map { ["type": "image_url", "image_url": ["url": .string($0)]] }
                    )
                }
                var entry: [String: JSONValue] = ["role": .string(message.role.rawValue), "content": content]
                if !message.toolCalls.isEmpty {
                    entry["tool_calls"] = .array(
                        message.toolCalls.map {
                            ["id": .string($0.id), "type": "function", "function": ["name": .string($0.name), "arguments": .string($0.arguments)]]
                        }
                    )
                }
                if let id = message.toolCallID { entry["tool_call_id"] = .string(id) }
                return .object(entry)
            }
        )
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map {
                    [
                        "type": "function",
                        "function": ["name": .string($0.name), "description": .string($0.description), "parameters": $0.parameters],
                    ]
                }
            )
        }
        return .object(body)
    }

    /// Completion parameters passed through; anything else in an app's configuration stays out of the upstream call.
    static let allowedParameters: Set<String> = [
        "temperature", "top_p", "max_tokens", "presence_penalty", "frequency_penalty", "stop", "seed", "response_format",
    ]

    private struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable {
                struct Call: Decodable {
                    struct Function: Decodable {
                        let name: String?
                        let arguments: String?
                    }
                    let index: Int?
                    let id: String?
                    let function: Function?
                }
                let content: String?
                let toolCalls: [Call]?

                enum CodingKeys: String, CodingKey {
                    case content
                    case toolCalls = "tool_calls"
                }
            }
            let delta: Delta?
        }
        struct Usage: Decodable {
            let promptTokens: Int?
            let completionTokens: Int?

            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case completionTokens = "completion_tokens"
            }
        }
        let choices: [Choice]?
        let usage: Usage?
        let error: JSONValue?
    }
}
