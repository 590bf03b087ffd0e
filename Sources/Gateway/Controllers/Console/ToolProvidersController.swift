import Core
import Foundation
import Hummingbird
import PluginHost

/// The tools of a workspace's plugin installs: providers and tools as declared, credentials per provider (admins and
/// owners; checked by the plugin, kept sealed, shown masked) and a test call of one tool.
///
/// Provider ids are Dify's `author/plugin/provider`, slashes and all, so these routes take the path up to their last
/// segment (`**/credentials`).
struct ToolProvidersController {
    let tools: PluginToolService

    struct CredentialsRequest: Decodable {
        let credentials: [String: String]
    }

    struct InvokeRequest: Decodable {
        let parameters: [String: JSONValue]?
    }

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        let tools = self.tools
        let base = group.group("workspaces/current")
        base.get("tool-providers") { _, context in
            var bodies: [JSONValue] = []
            for provider in try await tools.providers(in: context.scope.workspaceID) {
                bodies.append(Self.body(provider, isAuthorized: try await tools.isAuthorized(provider, in: context.scope.workspaceID)))
            }
            return JSONBody(.array(bodies))
        }
        base.get("tool-provider/builtin/**/credentials") { _, context in
            let provider = try ProviderPath.provider(context.parameters.getCatchAll())
            let masked = try await tools.maskedCredentials(of: provider, in: context.scope.workspaceID)
            return JSONBody(["credentials": masked.map { .object($0.mapValues(JSONValue.string)) } ?? .null])
        }
        // Dify's console saves them under either name.
        for action in ["credentials", "update"] {
            base.post("tool-provider/builtin/**/\(action)") { request, context in
                let provider = try ProviderPath.provider(context.parameters.getCatchAll())
                try context.scope.require(\.canManageMembers, "Only admins and owners can change tool credentials")
                var request = request
                let body = try await request.decodeJSON(as: CredentialsRequest.self)
                try await tools.saveCredentials(
                    body.credentials, of: provider, user: context.scope.accountID.description, in: context.scope.workspaceID
                )
                return SuccessBody()
            }
        }
        // A test call: `tools/{provider}/{tool}/invoke`.
        base.post("tools/**/invoke") { request, context in
            let (provider, rest) = try ProviderPath.split(context.parameters.getCatchAll(), trailing: 1)
            try context.scope.require(\.canEditApps, "Only editors, admins and owners can run tools")
            var request = request
            let body = try await request.decodeJSON(as: InvokeRequest.self)
            let messages = try await tools.invoke(
                provider, tool: rest[0], parameters: body.parameters ?? [:], user: context.scope.accountID.description,
                in: context.scope.workspaceID
            )
            return JSONBody(["messages": .array(messages)])
        }
    }

    /// Dify's tool provider entry.
    static func body(_ provider: PluginToolService.Provider, isAuthorized: Bool) -> JSONValue {
        let identity = provider.declaration.identity
        return [
            "id": .string(provider.id), "name": .string(provider.id), "author": identity["author"],
            "plugin_id": .string(provider.installed.install.pluginID),
            "plugin_unique_identifier": .string(provider.installed.install.identifier),
            "label": identity["label"], "description": identity["description"], "icon": identity["icon"],
            "labels": .array(identity["tags"].array), "type": "builtin", "is_team_authorization": .bool(isAuthorized),
            "allow_delete": true, "team_credentials": [:],
            "tools": .array(
                provider.declaration.tools.map { tool in
                    let declaration = tool.declaration
                    return [
                        "name": .string(tool.name), "author": declaration["identity"]["author"], "label": declaration["identity"]["label"],
                        "description": declaration["description"]["human"], "parameters": declaration["parameters"],
                        "output_schema": declaration["output_schema"], "labels": .array([]),
                    ]
                }),
        ]
    }
}
