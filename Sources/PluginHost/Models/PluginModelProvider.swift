public import Core
import Foundation

/// A model provider served by a workspace's model plugin: credentials checked by its
/// `validate_provider_credentials`, answers streamed from its `invoke_llm`, over the plugin's sandboxed process.
struct PluginModelProvider: ModelProvider {
    let descriptor: ProviderDescriptor
    let provider: ModelProviderDeclaration
    let installed: PluginInstallService.Installed
    let installs: PluginInstallService

    init(_ provider: ModelProviderDeclaration, of installed: PluginInstallService.Installed, installs: PluginInstallService) {
        self.provider = provider
        self.installed = installed
        self.installs = installs
        let label = provider.declaration["label"]["en_US"].string ?? provider.name
        descriptor = ProviderDescriptor(
            id: "\(installed.declaration.pluginID)/\(provider.name)", label: label,
            credentialFields: provider.credentials.map(\.formField),
            predefinedModels: provider.models.compactMap { model in
                guard let type = ModelType(rawValue: model.type) else { return nil }
                let pricing = model.declaration["pricing"]
                func decimal(_ value: JSONValue) -> Decimal? { value.string.flatMap { Decimal(string: $0) } ?? value.number.map { Decimal($0) } }
                let price = decimal(pricing["input"]).map { input in
                    ModelPrice(
                        input: input, output: decimal(pricing["output"]) ?? 0, priceUnit: decimal(pricing["unit"]) ?? Decimal(string: "0.000001")!,
                        currency: pricing["currency"].string ?? "USD"
                    )
                }
                return ModelDescriptor(
                    name: model.name, type: type, features: model.declaration["features"].array.compactMap(\.string),
                    contextSize: model.declaration["model_properties"]["context_size"].int ?? 4096, price: price ?? .free
                )
            },
            acceptsAnyModel: false
        )
    }

    func validate(_ credentials: [String: String]) async throws -> [String] {
        let chunks: [JSONValue]
        do {
            chunks = try await collect(
                [
                    "type": "model", "action": "validate_provider_credentials", "provider": .string(provider.name),
                    "credentials": .object(credentials.mapValues(JSONValue.string)),
                ]
            )
        } catch let error as RelayError where error.code == .pluginInvocationError {
            throw RelayError.invalidParam("credentials", "\(descriptor.id) refused these credentials: \(error.message)")
        }
        guard chunks.contains(where: { $0["result"].bool == true }) else {
            throw RelayError.invalidParam("credentials", "\(descriptor.id) refused these credentials")
        }
        return []
    }

    func chat(_ request: ChatCompletionRequest, credentials: [String: String]) -> AsyncThrowingStream<ChatCompletionDelta, any Error> {
        let data: JSONValue = [
            "type": "model", "action": "invoke_llm", "provider": .string(provider.name), "model": .string(request.model), "model_type": "llm",
            "credentials": .object(credentials.mapValues(JSONValue.string)), "model_parameters": .object(request.parameters),
            "stop": request.parameters["stop"] ?? [], "stream": true, "tools": [],
            "prompt_messages": .array(request.messages.map { ["role": .string($0.role.rawValue), "content": .string($0.text)] }),
        ]
        return .producing { continuation in
            let runtime = try await installs.runtime(for: installed)
            do {
                for try await chunk in try await installs.supervisor.call(data, on: runtime) {
                    let delta = chunk["delta"]
                    if let text = delta["message"]["content"].string, !text.isEmpty { continuation.yield(.text(text)) }
                    if let prompt = delta["usage"]["prompt_tokens"].int, let completion = delta["usage"]["completion_tokens"].int {
                        continuation.yield(.usage(TokenCounts(prompt: prompt, completion: completion)))
                    }
                }
            } catch let error as RelayError where error.code == .pluginInvocationError {
                // The plugin's own failure is the model's: Dify's code for a failed model call.
                throw RelayError(.completionRequestError, "\(descriptor.id) failed: \(error.message)", details: error.details)
            }
        }
    }

    func embed(_ texts: [String], model: String, credentials: [String: String]) async throws -> Embeddings {
        let chunks: [JSONValue]
        do {
            chunks = try await collect(
                [
                    "type": "model", "action": "invoke_text_embedding", "provider": .string(provider.name), "model": .string(model),
                    "model_type": "text-embedding", "credentials": .object(credentials.mapValues(JSONValue.string)),
                    "texts": .array(texts.map(JSONValue.string)), "input_type": "document",
                ]
            )
        } catch let error as RelayError where error.code == .pluginInvocationError {
            throw RelayError(.completionRequestError, "\(descriptor.id) failed: \(error.message)", details: error.details)
        }
        guard let result = chunks.first, result["embeddings"].array.count == texts.count else {
            throw RelayError(.completionRequestError, "\(descriptor.id) answered the embedding call with something else than \(texts.count) vectors")
        }
        return Embeddings(
            vectors: result["embeddings"].array.map { $0.array.compactMap { $0.number.map(Float.init) } },
            tokens: result["usage"]["tokens"].int ?? result["usage"]["total_tokens"].int ?? 0
        )
    }

    private func collect(_ data: JSONValue) async throws -> [JSONValue] {
        let runtime = try await installs.runtime(for: installed)
        var chunks: [JSONValue] = []
        for try await chunk in try await installs.supervisor.call(data, on: runtime) { chunks.append(chunk) }
        return chunks
    }
}
