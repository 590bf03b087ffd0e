import OpenAPIKit

/// `WorkspaceModelsController`: the workspace's usable models of one type, by provider (Dify's knowledge SDKs read the
/// embedding and rerank models here).
extension KnowledgeAPIDocumentation {
    static func workspaceModels(_ mount: DatasetMount) -> [DocumentedOperation] {
        let model: JSONSchema = .object(
            properties: [
                "model": .string, "label": DocSchemas.localized, "model_type": .string, "features": .array(items: .string),
                "fetch_from": DocSchemas.enumeration(["predefined-model", "customizable-model"]),
                "model_properties": .object(properties: ["context_size": .integer]), "deprecated": .boolean,
                "status": DocSchemas.enumeration(["active"]), "load_balancing_enabled": .boolean,
            ]
        )
        let provider: JSONSchema = .object(
            properties: [
                "provider": .string, "label": DocSchemas.localized, "icon_small": DocSchemas.localized, "icon_large": DocSchemas.localized,
                "status": DocSchemas.enumeration(["active"]), "models": .array(items: model),
            ]
        )
        return [
            mount.operation(
                .get, "/workspaces/current/models/model-types/{model_type}", id: "workspace.models.byType",
                summary: "The workspace's usable models of one type, by provider",
                description: "Only configured providers with a model of the type; the types Relay serves none of answer an empty list",
                tag: "Models",
                parameters: [
                    .path(
                        name: "model_type",
                        schema: DocSchemas.enumeration(["llm", "text-embedding", "rerank", "speech2text", "tts", "moderation"]),
                        description: "Any other is 400 `invalid_param`"
                    )
                ],
                responses: [200: .json("The providers and their models", .object(properties: ["data": .array(items: provider)]))],
                errors: [400]
            )
        ]
    }
}
