public import Foundation

/// One run of a workflow version (or of the draft, from the editor), as stored.
public struct WorkflowRun: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case running, succeeded, failed, stopped
    }

    /// Who started it: the Public API (`app-run`) or the editor (`debugging`).
    public enum Trigger: String, Sendable, Codable {
        case appRun = "app-run"
        case debugging
    }

    public let id: WorkflowRunID
    public let workspaceID: WorkspaceID
    public let appID: AppID
    /// The version run (`draft` for the editor's runs).
    public let workflowID: String
    public let taskID: String
    public let trigger: Trigger
    public let endUser: String
    public var status: Status
    public let inputs: [String: JSONValue]
    public var outputs: [String: JSONValue]?
    public var error: String?
    public var elapsedTime: Double
    public var totalTokens: Int
    public var totalSteps: Int
    public let createdAt: Date
    public var finishedAt: Date?
    /// The run's tokens split into prompt and completion, known to the process that ran it (not stored).
    public var usage: TokenCounts?

    public init(
        id: WorkflowRunID, workspaceID: WorkspaceID, appID: AppID, workflowID: String, taskID: String, trigger: Trigger, endUser: String,
        status: Status, inputs: [String: JSONValue], outputs: [String: JSONValue]? = nil, error: String? = nil, elapsedTime: Double = 0,
        totalTokens: Int = 0, totalSteps: Int = 0, createdAt: Date, finishedAt: Date? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.appID = appID
        self.workflowID = workflowID
        self.taskID = taskID
        self.trigger = trigger
        self.endUser = endUser
        self.status = status
        self.inputs = inputs
        self.outputs = outputs
        self.error = error
        self.elapsedTime = elapsedTime
        self.totalTokens = totalTokens
        self.totalSteps = totalSteps
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}

/// One node's run within a workflow run.
public struct WorkflowNodeExecution: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case running, succeeded, failed
        /// Failed, and its error strategy carried the run on.
        case exception
    }

    public let id: String
    public let nodeID: String
    public let nodeType: String
    public let title: String
    public let index: Int
    public let predecessorNodeID: String?
    public let iterationID: String?
    public let iterationIndex: Int?
    public var inputs: [String: JSONValue]?
    public var outputs: [String: JSONValue]?
    public var status: Status
    public var error: String?
    public var elapsedTime: Double
    public var tokens: Int
    public let createdAt: Date
    public var finishedAt: Date?
}
