import Core
import Foundation

/// Calls from a plugin back into the host, each allowed only if the manifest grants it: `storage` (a key-value store
/// per plugin and workspace, bounded by `permission.storage.size`) and `llm` (the workspace's own configured models,
/// with its credentials). Embedding, tool and app calls are refused until those services can be called from here.
struct HostCallbacks: Sendable {
    let store: PluginStore
    let workspace: WorkspaceID
    let declaration: PluginDeclaration
    let models: ModelProviderService?

    static let maximumKeyLength = 256

    func answer(_ type: String, _ request: JSONValue, _ sessionType: String) async throws -> [JSONValue] {
        if sessionType == "model" {
            throw RelayError(.forbidden, "permission denied, a model session may not call back into the host")
        }
        switch type {
        case "storage":
            guard declaration.permission.storage else {
                throw RelayError(.forbidden, "permission denied, you need to enable storage access in plugin manifest")
            }
            return [try await storage(request)]
        case "llm":
            guard declaration.permission.llm else {
                throw RelayError(.forbidden, "permission denied, you need to enable llm access in plugin manifest")
            }
            return try await llm(request)
        case "text_embedding":
            guard declaration.permission.textEmbedding else {
                throw RelayError(.forbidden, "permission denied, you need to enable text_embedding access in plugin manifest")
            }
            return [try await textEmbedding(request)]
        case "rerank", "tts", "speech2text", "moderation", "tool", "app", "node", "upload_file", "system_summary":
            throw RelayError(.forbidden, "this host does not serve \(type) calls from plugins yet")
        default:
            throw RelayError(.invalidParam, "unknown backwards invocation type '\(type)'")
        }
    }

    /// Dify's LLM callback: `{provider, model, completion_params, prompt_messages, stream}` answered with
    /// `LLMResultChunk`s, the last carrying the usage and `finish_reason`.
    private func llm(_ request: JSONValue) async throws -> [JSONValue] {
        guard let models else { throw RelayError(.forbidden, "this host serves no llm calls") }
        let provider = try await providerID(request["provider"].string ?? "", models)
        guard let model = request["model"].string, !provider.isEmpty else {
            throw RelayError(.invalidParam, "an llm call names its provider and model")
        }
        let resolved = try await models.resolve(provider: provider, model: model, in: workspace)
        let messages: [PromptMessage] = request["prompt_messages"].array.compactMap { message in
            let text =
                message["content"].string
                ?? message["content"].array.compactMap { $0["type"].string == "text" ? $0["data"].string : nil }.joined()
            switch message["role"].string {
            case "system": return PromptMessage(.system, text)
            case "assistant": return PromptMessage(.assistant, text)
            case "user": return PromptMessage(.user, text)
            default: return nil
            }
        }
        guard !messages.isEmpty else { throw RelayError(.invalidParam, "an llm call needs prompt_messages") }
        var parameters = request["completion_params"].object ?? [:]
        if !request["stop"].array.isEmpty { parameters["stop"] = request["stop"] }
        let chatRequest = ChatCompletionRequest(model: model, messages: messages, parameters: parameters)
        var chunks: [JSONValue] = []
        var answer = ""
        var counts: TokenCounts?
        let started = ContinuousClock.now
        for try await delta in resolved.provider.chat(chatRequest, credentials: resolved.credentials) {
            switch delta {
            case .text(let piece):
                answer += piece
                chunks.append(Self.chunk(model: model, index: chunks.count, content: piece, usage: nil))
            case .usage(let reported): counts = reported
            case .toolCall: break  // no tools are offered to callbacks
            }
        }
        let usage = counts ?? TokenCounts.estimate(prompt: messages, completion: answer)
        let latency = (ContinuousClock.now - started).seconds
        chunks.append(
            Self.chunk(
                model: model, index: chunks.count, content: "",
                usage: [
                    "prompt_tokens": .number(Double(usage.prompt)), "prompt_unit_price": 0, "prompt_price_unit": 0, "prompt_price": 0,
                    "completion_tokens": .number(Double(usage.completion)), "completion_unit_price": 0, "completion_price_unit": 0,
                    "completion_price": 0, "total_tokens": .number(Double(usage.total)), "total_price": 0, "currency": "USD",
                    "latency": .number(latency),
                ]
            )
        )
        return chunks
    }

    /// Dify's embedding callback: `{provider, model, texts}` answered with one `TextEmbeddingResult`.
    private func textEmbedding(_ request: JSONValue) async throws -> JSONValue {
        guard let models else { throw RelayError(.forbidden, "this host serves no text_embedding calls") }
        let provider = try await providerID(request["provider"].string ?? "", models)
        guard let model = request["model"].string, !provider.isEmpty else {
            throw RelayError(.invalidParam, "a text_embedding call names its provider and model")
        }
        let texts = request["texts"].array.compactMap(\.string)
        let started = ContinuousClock.now
        let result = try await models.embed(texts, provider: provider, model: model, in: workspace)
        let latency = (ContinuousClock.now - started).seconds
        return [
            "model": .string(model),
            "embeddings": .array(result.vectors.map { .array($0.map { .number(Double($0)) }) }),
            "usage": [
                "tokens": .number(Double(result.tokens)), "total_tokens": .number(Double(result.tokens)), "unit_price": 0, "price_unit": 0,
                "total_price": 0, "currency": "USD",
                "latency": .number(latency),
            ],
        ]
    }

    /// The provider a plugin names: one of the workspace's as it is (a model plugin's `author/plugin/provider`), else by
    /// its last part, as Dify names its own providers (`langgenius/openai/openai` is our `openai`).
    private func providerID(_ name: String, _ models: ModelProviderService) async throws -> String {
        if try await models.find(name, in: workspace) != nil { return name }
        return String(name.split(separator: "/").last ?? "")
    }

    private static func chunk(model: String, index: Int, content: String, usage: JSONValue?) -> JSONValue {
        [
            "model": .string(model), "prompt_messages": [], "system_fingerprint": nil,
            "delta": [
                "index": .number(Double(index)), "message": ["role": "assistant", "content": .string(content), "tool_calls": []],
                "usage": usage ?? .null, "finish_reason": usage == nil ? .null : "stop",
            ],
        ]
    }

    private func storage(_ request: JSONValue) async throws -> JSONValue {
        guard let key = request["key"].string, !key.isEmpty, key.utf8.count <= Self.maximumKeyLength else {
            throw RelayError(.invalidParam, "a storage key must be 1 to \(Self.maximumKeyLength) bytes")
        }
        let plugin = declaration.pluginID
        switch request["opt"].string {
        case "get":
            guard let value = try await store.storageValue(key, plugin: plugin, in: workspace) else {
                throw RelayError.notFound("no storage value under '\(key)'")
            }
            return ["data": .string(value)]
        case "set":
            guard let value = request["value"].string, value.utf8.count % 2 == 0, value.allSatisfy(\.isHexDigit) else {
                throw RelayError(.invalidParam, "a storage value must be hex-encoded")
            }
            guard try await store.setStorageValue(value, for: key, plugin: plugin, limit: declaration.permission.storageSize, in: workspace) else {
                throw RelayError(.forbidden, "storage limit of \(declaration.permission.storageSize) bytes exceeded")
            }
            return ["data": "ok"]
        case "del":
            _ = try await store.deleteStorageValue(key, plugin: plugin, in: workspace)
            return ["data": "ok"]
        case "exist":
            return ["data": .bool(try await store.storageValue(key, plugin: plugin, in: workspace) != nil)]
        default:
            throw RelayError(.invalidParam, "storage 'opt' must be set, get, del or exist")
        }
    }
}
