import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A provider speaking OpenAI's chat-completions API: OpenAI itself, and every server that copies it (vLLM, Ollama,
/// llama.cpp's server, LiteLLM…), told apart only by their credential forms and base URLs.
struct OpenAICompatibleProvider: ModelProvider {
    let descriptor: ProviderDescriptor
    let client: UpstreamClient
    /// Reads the base URL (ending before `/chat/completions`) from the credentials.
    let baseURL: @Sendable ([String: String]) -> String
    /// Reads the bearer key from the credentials; `nil` sends none (a local server).
    let apiKey: @Sendable ([String: String]) -> String?

    /// Largest upstream event line accepted: a token or a usage report is far smaller.
    static let maxLineLength = 1 << 20

    func validate(_ credentials: [String: String]) async throws -> [String] {
        let url = try base(credentials) + "/models"
        var request = HTTPClientRequest(url: url)
        authorize(&request, credentials)
        let response: HTTPClientResponse
        do {
            response = try await client.http.execute(request, timeout: UpstreamClient.timeAmount(client.policy.readTimeout))
        } catch {
            throw RelayError.invalidParam("credentials", UpstreamFailure.unreachable(error, url: url, provider: descriptor.id).message)
        }
        let body = try? await response.body.collect(upTo: 8 << 20)
        switch response.status.code {
        case 200..<300:
            guard let body, let list = try? JSONDecoder().decode(ModelList.self, from: Data(body.readableBytesView)) else { return [] }
            return list.data.map(\.id)
        case 404:
            // A server without a model list (some proxies) can still serve completions.
            return []
        default:
            let failure = UpstreamFailure.error(status: response.status.code, headers: response.headers, body: body, provider: descriptor.id)
            throw RelayError.invalidParam("credentials", "The credentials were not accepted: \(failure.message)")
        }
    }

    func chat(_ request: ChatCompletionRequest, credentials: [String: String]) -> AsyncThrowingStream<ChatCompletionDelta, any Error> {
        let (deltas, continuation) = AsyncThrowingStream<ChatCompletionDelta, any Error>.makeStream()
        let task = Task {
            do {
                try await stream(request, credentials: credentials, into: continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return deltas
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

        let response = try await send(request, url: url)
        do {
            try await relay(response, into: continuation)
        } catch let error as RelayError {
            throw error
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            throw RelayError(
                .completionRequestError, "The \(descriptor.id) upstream failed mid-answer: \(UpstreamFailure.describe(error))",
                underlying: error
            )
        }
    }

    /// Passes on the pieces of a streamed answer until the upstream says it is done.
    private func relay(
        _ response: HTTPClientResponse, into continuation: AsyncThrowingStream<ChatCompletionDelta, any Error>.Continuation
    ) async throws {
        for try await line in UpstreamLines(base: response.body, maxLineLength: Self.maxLineLength) {
            guard line.hasPrefix("data:") else { continue }
            let payload = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
            if payload == "[DONE]" { break }
            guard let chunk = try? JSONDecoder().decode(Chunk.self, from: Data(payload.utf8)) else { continue }
            // OpenAI reports a failure mid-stream as an event carrying `error`.
            if chunk.error != nil {
                let message = UpstreamFailure.message(in: ByteBuffer(string: payload)) ?? "an error event"
                throw RelayError(.completionRequestError, "The \(descriptor.id) upstream failed mid-answer: \(message)")
            }
            for choice in chunk.choices ?? [] {
                if let text = choice.delta?.content, !text.isEmpty { continuation.yield(.text(text)) }
            }
            if let usage = chunk.usage {
                continuation.yield(.usage(TokenCounts(prompt: usage.prompt_tokens ?? 0, completion: usage.completion_tokens ?? 0)))
            }
        }
    }

    /// Sends the request, retrying failures that happened before any answer arrived, with backoff.
    private func send(_ request: HTTPClientRequest, url: String) async throws -> HTTPClientResponse {
        var attempt = 0
        while true {
            attempt += 1
            let canRetry = attempt <= client.policy.retries
            do {
                // The deadline bounds one whole generation; silence is bounded by the client's read timeout.
                let response = try await client.http.execute(request, timeout: .minutes(30))
                if (200..<300).contains(response.status.code) { return response }
                let body = try? await response.body.collect(upTo: 64 << 10)
                if canRetry, UpstreamFailure.isRetryable(status: response.status.code) {
                    try await Task.sleep(for: client.policy.delay(beforeRetry: attempt))
                    continue
                }
                throw UpstreamFailure.error(status: response.status.code, headers: response.headers, body: body, provider: descriptor.id)
            } catch let error as RelayError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                guard canRetry else { throw UpstreamFailure.unreachable(error, url: url, provider: descriptor.id) }
                try await Task.sleep(for: client.policy.delay(beforeRetry: attempt))
            }
        }
    }

    private func base(_ credentials: [String: String]) throws -> String {
        var base = baseURL(credentials).trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw RelayError(.providerNotInitialize, "The \(descriptor.id) base URL '\(base)' is not an http(s) URL")
        }
        return base
    }

    private func authorize(_ request: inout HTTPClientRequest, _ credentials: [String: String]) {
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
                return ["role": .string(message.role.rawValue), "content": content]
            }
        )
        return .object(body)
    }

    /// Completion parameters passed through; anything else in an app's configuration stays out of the upstream call.
    static let allowedParameters: Set<String> = [
        "temperature", "top_p", "max_tokens", "presence_penalty", "frequency_penalty", "stop", "seed", "response_format",
    ]

    private struct ModelList: Decodable {
        struct Model: Decodable { let id: String }
        let data: [Model]
    }

    private struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable { let content: String? }
            let delta: Delta?
        }
        struct Usage: Decodable {
            let prompt_tokens: Int?
            let completion_tokens: Int?
        }
        let choices: [Choice]?
        let usage: Usage?
        let error: JSONValue?
    }
}
