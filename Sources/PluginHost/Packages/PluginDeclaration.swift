public import Core

/// What a package declares, read from its manifest and its provider and tool YAML at upload or install time (the
/// protocol has no message that lists tools). Stored with each install as JSON.
public struct PluginDeclaration: Codable, Sendable, Hashable {
    public var author: String
    public var name: String
    public var version: String
    /// `tool`, `model`, `extension` or `agent-strategy`, from what the manifest's `plugins` lists.
    public var category: String
    /// The manifest as written (label, description, icon, resource, meta…), for Dify-shaped answers.
    public var manifest: JSONValue
    public var memory: Int
    public var permission: PluginPermission
    public var runner: Runner
    public var toolProviders: [ToolProviderDeclaration]
    /// Absent in declarations stored before model plugins were read.
    public var modelProviderDeclarations: [ModelProviderDeclaration]?
    public var modelProviders: [ModelProviderDeclaration] { modelProviderDeclarations ?? [] }

    public struct Runner: Codable, Sendable, Hashable {
        /// `python` (Dify's) or `binary` (ours).
        public var language: String
        public var entrypoint: String
    }

    /// `author/name`.
    public var pluginID: String { "\(author)/\(name)" }
}

/// What the manifest's `resource.permission` grants: which calls back into the host, and the network.
public struct PluginPermission: Codable, Sendable, Hashable {
    public var tool = false
    public var model = false
    public var llm = false
    public var textEmbedding = false
    public var app = false
    public var storage = false
    public var storageSize = 0
    public var network = false

    init(_ permission: JSONValue) {
        tool = permission["tool"]["enabled"].bool ?? false
        model = permission["model"]["enabled"].bool ?? false
        llm = model && (permission["model"]["llm"].bool ?? false)
        textEmbedding = model && (permission["model"]["text_embedding"].bool ?? false)
        app = permission["app"]["enabled"].bool ?? false
        storage = permission["storage"]["enabled"].bool ?? false
        storageSize = storage ? permission["storage"]["size"].int ?? 0 : 0
        network = permission["network"]["enabled"].bool ?? false
    }
}

/// A tool provider a plugin declares: its identity, its credential form and its tools.
public struct ToolProviderDeclaration: Codable, Sendable, Hashable {
    public var name: String
    /// The provider's `identity` as written (author, name, label, description, icon, tags).
    public var identity: JSONValue
    public var credentials: [CredentialField]
    public var tools: [ToolDeclaration]
}

/// One field of a provider's credential form.
public struct CredentialField: Codable, Sendable, Hashable {
    public var name: String
    /// `secret-input`, `text-input`, `select` or `boolean`.
    public var type: String
    public var required: Bool
    /// The field as written (label, help, placeholder, default, options).
    public var declaration: JSONValue

    public var isSecret: Bool { type == "secret-input" }

    /// The field as the host's credential forms take it.
    public var formField: Core.CredentialField {
        Core.CredentialField(name: name, label: declaration["label"]["en_US"].string ?? name, isRequired: required, isSecret: isSecret)
    }
}

/// One tool: its identity, descriptions and parameters, as written, with what invocation needs checked.
public struct ToolDeclaration: Codable, Sendable, Hashable {
    public var name: String
    public var declaration: JSONValue
    public var parameters: [ToolParameter]
}

public struct ToolParameter: Codable, Sendable, Hashable {
    public var name: String
    public var type: String
    public var required: Bool
    public var options: [String]
}

/// A model provider a plugin declares (`plugins.models`): its credential form and its predefined models.
public struct ModelProviderDeclaration: Codable, Sendable, Hashable {
    public var name: String
    /// The provider YAML as written (label, description, icons, supported types…).
    public var declaration: JSONValue
    public var credentials: [CredentialField]
    public var models: [ModelDeclaration]
}

/// A predefined model of a plugin's provider.
public struct ModelDeclaration: Codable, Sendable, Hashable {
    public var name: String
    /// Dify's model type: `llm`, `text-embedding`, …
    public var type: String
    /// The model YAML as written (label, features, model_properties, parameter_rules, pricing).
    public var declaration: JSONValue
}
