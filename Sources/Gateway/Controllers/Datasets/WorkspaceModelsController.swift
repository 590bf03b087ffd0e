import Core
import Foundation
import Hummingbird
import Tenancy

/// `GET /workspaces/current/models/model-types/{model_type}`: the workspace's usable models of one type, by provider,
/// as Dify lists them (its knowledge SDKs read the embedding and rerank models here with a dataset key).
struct WorkspaceModelsController {
    let providers: ModelProviderService

    /// Dify's model types; Relay's providers serve the first three.
    static let difyTypes = ["llm", "text-embedding", "rerank", "speech2text", "tts", "moderation"]

    func addRoutes<Context: DatasetRequestContext>(to group: RouterGroup<Context>) {
        group.get("workspaces/current/models/model-types/:model_type") { _, context in
            let name = try context.parameters.require("model_type")
            guard Self.difyTypes.contains(name) else {
                throw RelayError.invalidParam("model_type", "model_type must be one of \(Self.difyTypes.joined(separator: ", "))", type: "enum")
            }
            guard let type = ModelType(rawValue: name) else { return JSONBody(["data": []]) }
            let states = try await providers.providers(of: context.datasetCaller.workspaceID)
            let data: [JSONValue] = states.compactMap { state in
                let models = state.models.filter { $0.type == type }
                guard state.isConfigured, !models.isEmpty else { return nil }
                let descriptor = state.descriptor
                return [
                    "provider": .string(descriptor.id), "label": ModelProvidersController.localized(descriptor.label),
                    "icon_small": ModelProvidersController.localized(""), "icon_large": ModelProvidersController.localized(""),
                    "status": "active",
                    "models": .array(
                        models.map { model in
                            [
                                "model": .string(model.name), "label": ModelProvidersController.localized(model.name),
                                "model_type": .string(model.type.rawValue), "features": .array(model.features.map(JSONValue.string)),
                                "fetch_from": descriptor.acceptsAnyModel ? "customizable-model" : "predefined-model",
                                "model_properties": ["context_size": .number(Double(model.contextSize))], "deprecated": false,
                                "status": "active", "load_balancing_enabled": false,
                            ]
                        }),
                ]
            }
            return JSONBody(["data": .array(data)])
        }
    }
}
