import Crypto
public import Foundation

/// What an app's workflow is made of: the graph and the settings around it. The draft is what the editor changes; a
/// version is a draft frozen by publishing.
public struct WorkflowContent: Sendable, Equatable {
    public var graph: JSONValue
    public var features: JSONValue
    public var environmentVariables: [JSONValue]
    public var conversationVariables: [JSONValue]

    public init(graph: JSONValue, features: JSONValue, environmentVariables: [JSONValue], conversationVariables: [JSONValue]) {
        self.graph = graph
        self.features = features
        self.environmentVariables = environmentVariables
        self.conversationVariables = conversationVariables
    }

    /// A digest of the content: the same content always gives the same hash, any change another.
    public var hash: String {
        let canonical: JSONValue = [
            "graph": graph, "features": features, "environment_variables": .array(environmentVariables),
            "conversation_variables": .array(conversationVariables),
        ]
        return SHA256.hash(data: canonical.canonicalData).hex
    }

    /// Names of the environment variables (`env.<name>`), and their values.
    var environment: [String: JSONValue] {
        Dictionary(environmentVariables.compactMap { item in item["name"].string.map { ($0, item["value"]) } }) { first, _ in first }
    }

    var conversationDefaults: [String: JSONValue] {
        Dictionary(conversationVariables.compactMap { item in item["name"].string.map { ($0, item["value"]) } }) { first, _ in first }
    }
}

/// An app's draft workflow, as stored.
public struct WorkflowDraft: Sendable, Equatable {
    public let appID: AppID
    public var content: WorkflowContent
    public var hash: String
    public var updatedAt: Date
    public var updatedBy: AccountID?

    public init(appID: AppID, content: WorkflowContent, hash: String, updatedAt: Date, updatedBy: AccountID?) {
        self.appID = appID
        self.content = content
        self.hash = hash
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}

/// A published version of an app's workflow: what the Public API runs (the newest one).
public struct WorkflowVersion: Sendable, Equatable {
    public let id: WorkflowVersionID
    public let appID: AppID
    /// 1 for the first version published, then 2, …
    public let number: Int
    public let content: WorkflowContent
    public let hash: String
    public let createdAt: Date
    public let createdBy: AccountID?

    public init(id: WorkflowVersionID, appID: AppID, number: Int, content: WorkflowContent, hash: String, createdAt: Date, createdBy: AccountID?) {
        self.id = id
        self.appID = appID
        self.number = number
        self.content = content
        self.hash = hash
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// The version as the API names it: `v1`, `v2`, …
    public var name: String { "v\(number)" }
}
