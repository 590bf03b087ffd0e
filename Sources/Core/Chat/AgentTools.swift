public import Foundation

/// A tool an `agent-chat` app's configuration names: a provider's tool, with the parameters fixed in the form.
public struct AgentToolReference: Sendable, Equatable {
    /// `author/plugin/provider` (or the provider's own name when unambiguous).
    public let providerID: String
    public let toolName: String
    /// Parameters set in the app's configuration (`form` parameters); the model fills the rest.
    public let fixedParameters: [String: JSONValue]

    public init(providerID: String, toolName: String, fixedParameters: [String: JSONValue] = [:]) {
        self.providerID = providerID
        self.toolName = toolName
        self.fixedParameters = fixedParameters
    }
}

/// A tool as the model is told of it: a function with a JSON-schema of its parameters.
public struct AgentTool: Sendable, Equatable {
    public let reference: AgentToolReference
    /// The function's name, unique within one app's tools.
    public let name: String
    public let description: String
    /// JSON schema of the arguments the model gives.
    public let parameters: JSONValue

    public init(reference: AgentToolReference, name: String, description: String, parameters: JSONValue) {
        self.reference = reference
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// The tools agents call, served by the plugin host; Gateway wires it in (Core imports no plugin code).
public protocol AgentToolbox: Sendable {
    /// The tool a reference names, in the workspace's installs; throws `not_found` when there is none.
    func tool(_ reference: AgentToolReference, in workspace: WorkspaceID) async throws -> AgentTool
    /// Runs the tool and returns what the model is told: its messages as text.
    func invoke(_ tool: AgentTool, arguments: [String: JSONValue], user: String, in workspace: WorkspaceID) async throws -> String
}

/// One round of an agent: what the model said, the tool it called with what, and what came back.
public struct AgentThought: Sendable, Equatable {
    public let id: String
    public let position: Int
    public let thought: String
    public let tool: String
    public let toolInput: String
    public let observation: String
}

/// What a turn reports while it runs.
public enum ChatEvent: Sendable, Equatable {
    case text(String)
    case thought(AgentThought)
    /// Moderation flagged the answer so far: this replaces all of it, and nothing more follows.
    case replace(String)
}
