import Core
import Foundation
import PluginHost

/// Agents' tools, served by the workspace's plugin installs: a tool's `llm` parameters become the function's JSON
/// schema, its `form` parameters come from the app's configuration, and its messages come back as text.
struct PluginAgentToolbox: AgentToolbox {
    let tools: PluginToolService

    func tool(_ reference: AgentToolReference, in workspace: WorkspaceID) async throws -> AgentTool {
        let provider = try await tools.provider(reference.providerID, in: workspace)
        guard let tool = provider.declaration.tools.first(where: { $0.name == reference.toolName }) else {
            throw RelayError.notFound("The tool provider \(provider.id) has no tool '\(reference.toolName)'")
        }
        var properties: [String: JSONValue] = [:]
        var required: [JSONValue] = []
        for (parameter, declared) in zip(tool.parameters, tool.declaration["parameters"].array)
        where declared["form"].string == "llm" && reference.fixedParameters[parameter.name] == nil {
            var property: [String: JSONValue] = [
                "type": .string(Self.schemaType(parameter.type)),
                "description": declared["llm_description"].string.map(JSONValue.string) ?? declared["human_description"]["en_US"],
            ]
            if !parameter.options.isEmpty { property["enum"] = .array(parameter.options.map(JSONValue.string)) }
            properties[parameter.name] = .object(property)
            if parameter.required { required.append(.string(parameter.name)) }
        }
        let description = tool.declaration["description"]["llm"].string ?? tool.declaration["description"]["human"]["en_US"].string ?? tool.name
        return AgentTool(
            reference: reference, name: tool.name, description: description,
            parameters: ["type": "object", "properties": .object(properties), "required": .array(required)]
        )
    }

    func invoke(_ tool: AgentTool, arguments: [String: JSONValue], user: String, in workspace: WorkspaceID) async throws -> String {
        let parameters = arguments.merging(tool.reference.fixedParameters) { _, fixed in fixed }
        let messages = try await tools.invoke(
            tool.reference.providerID, tool: tool.reference.toolName, parameters: parameters, user: user, in: workspace)
        return messages.map { message -> String in
            switch message["type"].string {
            case "text": message["message"]["text"].string ?? ""
            case "json": String(decoding: (try? JSONEncoder().encode(message["message"]["json_object"])) ?? Data(), as: UTF8.self)
            case "link", "image_link", "image": message["message"]["text"].string ?? ""
            default: "[\(message["type"].string ?? "message")]"
            }
        }.joined(separator: "\n")
    }

    private static func schemaType(_ type: String) -> String {
        switch type {
        case "number": "number"
        case "boolean", "checkbox": "boolean"
        case "array", "files": "array"
        case "object": "object"
        default: "string"
        }
    }
}
