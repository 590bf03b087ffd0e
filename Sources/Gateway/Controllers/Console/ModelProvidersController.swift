import Core
import Foundation
import Hummingbird
import Tenancy

/// The workspace's model providers: what is on offer and configured, credentials (checked upstream, kept sealed,
/// shown masked), and the default model of each type. A configured provider shows `quota-exceeded` once the
/// workspace has spent its message credits for the month.
struct ModelProvidersController {
    let providers: ModelProviderService
    let plans: PlanService
    let credits: CreditLedger
    let now: @Sendable () -> Date

    struct CredentialsRequest: Decodable {
        let credentials: [String: String]
    }

    struct DefaultModelRequest: Decodable {
        struct Setting: Decodable {
            let modelType: String
            let provider: String?
            let model: String?

            enum CodingKeys: String, CodingKey {
                case modelType = "model_type"
                case provider, model
            }
        }
        let modelSettings: [Setting]

        enum CodingKeys: String, CodingKey {
            case modelSettings = "model_settings"
        }
    }

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        let (providers, plans, credits, now) = (self.providers, self.plans, self.credits, self.now)
        let base = group.group("workspaces/current")
        base.get("model-providers") { _, context in
            let workspace = context.scope.workspaceID
            let states = try await providers.providers(of: workspace)
            let allowance = try await plans.workspacePlan(workspace).limits.messageCreditsPerMonth
            var spent = false
            if allowance > 0 { spent = try await credits.used(by: workspace, at: now()) >= allowance }
            return JSONBody(["data": .array(states.map { Self.body($0, creditsSpent: spent) })])
        }
        // A plugin's provider is named `author/plugin/provider`, slashes and all: `**` takes it, whatever its length.
        base.get("model-providers/**/credentials") { _, context in
            let provider = try ProviderPath.provider(context.parameters.getCatchAll())
            let masked = try await providers.maskedCredentials(of: provider, in: context.scope.workspaceID)
            return JSONBody(["credentials": masked.map { .object($0.mapValues(JSONValue.string)) } ?? .null])
        }
        base.post("model-providers/**/credentials") { request, context in
            let provider = try ProviderPath.provider(context.parameters.getCatchAll())
            try context.scope.require(\.canManageMembers, "Only admins and owners can change model provider credentials")
            var request = request
            let body = try await request.decodeJSON(as: CredentialsRequest.self)
            try await providers.saveCredentials(body.credentials, of: provider, in: context.scope.workspaceID)
            return SuccessBody()
        }
        base.delete("model-providers/**/credentials") { _, context in
            let provider = try ProviderPath.provider(context.parameters.getCatchAll())
            try context.scope.require(\.canManageMembers, "Only admins and owners can change model provider credentials")
            try await providers.deleteCredentials(of: provider, in: context.scope.workspaceID)
            return Response(status: .noContent)
        }
        base.get("default-model") { request, context in
            let type: ModelType = try parseEnum(request.queryString("model_type") ?? "llm", field: "model_type")
            guard let model = try await providers.defaultModel(type, in: context.scope.workspaceID) else { return JSONBody(["data": .null]) }
            let label = try await providers.find(model.provider, in: context.scope.workspaceID)?.descriptor.label ?? model.provider
            return JSONBody([
                "data": [
                    "model": .string(model.model), "model_type": .string(model.type.rawValue),
                    "provider": ["provider": .string(model.provider), "label": Self.localized(label)],
                ]
            ])
        }
        base.post("default-model") { request, context in
            try context.scope.require(\.canManageMembers, "Only admins and owners can change default models")
            var request = request
            let body = try await request.decodeJSON(as: DefaultModelRequest.self)
            for (index, setting) in body.modelSettings.enumerated() {
                let type: ModelType = try parseEnum(setting.modelType, field: "model_settings[\(index)].model_type")
                guard let provider = setting.provider, !provider.isEmpty else { throw RelayError.required("model_settings[\(index)].provider") }
                guard let model = setting.model, !model.isEmpty else { throw RelayError.required("model_settings[\(index)].model") }
                try await providers.setDefaultModel(DefaultModel(type: type, provider: provider, model: model), in: context.scope.workspaceID)
            }
            return SuccessBody()
        }
    }

    /// A provider in the seed's shape, with Dify's credential form so a console can draw it.
    static func body(_ state: ModelProviderService.ProviderState, creditsSpent: Bool) -> JSONValue {
        let descriptor = state.descriptor
        let status: JSONValue = !state.isConfigured ? "no-configure" : creditsSpent ? "quota-exceeded" : "active"
        return [
            "provider": .string(descriptor.id),
            "label": localized(descriptor.label),
            "icon_small": localized(""),
            "icon_large": localized(""),
            "status": status,
            "supported_model_types": .array(Set(state.models.map(\.type)).sorted { $0.rawValue < $1.rawValue }.map { .string($0.rawValue) }),
            "configurate_methods": descriptor.acceptsAnyModel ? ["customizable-model"] : ["predefined-model"],
            "provider_credential_schema": [
                "credential_form_schemas": .array(
                    descriptor.credentialFields.map { field in
                        [
                            "variable": .string(field.name), "label": localized(field.label),
                            "type": field.isSecret ? "secret-input" : "text-input", "required": .bool(field.isRequired),
                        ]
                    }
                )
            ],
            "models": .array(
                state.models.map { model in
                    [
                        "model": .string(model.name),
                        "label": localized(model.name),
                        "model_type": .string(model.type.rawValue),
                        "features": .array(model.features.map(JSONValue.string)),
                        "model_properties": ["context_size": .number(Double(model.contextSize)), "max_chunks": 1, "file_upload_limit": 0],
                        "fetch_from": descriptor.acceptsAnyModel ? "customizable-model" : "predefined-model",
                        "status": status,
                        "pricing": [
                            "input": .string(MessageUsage.format(model.price.input)), "output": .string(MessageUsage.format(model.price.output)),
                            "unit": .string(MessageUsage.format(model.price.priceUnit)), "currency": .string(model.price.currency),
                        ],
                    ]
                }
            ),
        ]
    }

    static func localized(_ text: String) -> JSONValue {
        ["zh_Hans": .string(text), "en_US": .string(text)]
    }
}
