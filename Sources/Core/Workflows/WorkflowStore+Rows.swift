import Foundation

/// Rows of the workflow tables.
extension WorkflowContent {
    var stored: String {
        String(
            decoding: JSONValue.object([
                "graph": graph, "features": features, "environment_variables": .array(environmentVariables),
                "conversation_variables": .array(conversationVariables),
            ]).canonicalData,
            as: UTF8.self
        )
    }

    init(stored text: String) throws {
        let value = try StoredJSON.decode(JSONValue.self, text, column: "content")
        self.init(
            graph: value["graph"], features: value["features"], environmentVariables: value["environment_variables"].array,
            conversationVariables: value["conversation_variables"].array
        )
    }
}

extension WorkflowDraft {
    init(row: StoredRow) throws {
        self.init(
            appID: try row.identifier("app_id"), content: try WorkflowContent(stored: try row.string("content")), hash: try row.string("hash"),
            updatedAt: try row.date("updated_at"), updatedBy: try row.optionalIdentifier("updated_by")
        )
    }
}

extension WorkflowVersion {
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), appID: try row.identifier("app_id"), number: try row.int("number"),
            content: try WorkflowContent(stored: try row.string("content")), hash: try row.string("hash"), createdAt: try row.date("created_at"),
            createdBy: try row.optionalIdentifier("created_by")
        )
    }
}

extension WorkflowRun {
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), appID: try row.identifier("app_id"),
            workflowID: try row.string("workflow_id"), taskID: try row.string("task_id"),
            trigger: Trigger(rawValue: try row.string("triggered_from")) ?? .appRun, endUser: try row.string("end_user"),
            status: Status(rawValue: try row.string("status")) ?? .failed,
            inputs: try StoredJSON.decode([String: JSONValue].self, try row.string("inputs"), column: "inputs"),
            outputs: try row.optionalString("outputs").map { try StoredJSON.decode([String: JSONValue].self, $0, column: "outputs") },
            error: try row.optionalString("error"), elapsedTime: try row.double("elapsed_time"), totalTokens: try row.int("total_tokens"),
            totalSteps: try row.int("total_steps"), createdAt: try row.date("created_at"), finishedAt: try row.optionalDate("finished_at")
        )
    }

    var storedInputs: String { StoredJSON.encode(inputs) }
    var storedOutputs: String? { outputs.map(StoredJSON.encode) }
}

extension WorkflowNodeExecution {
    init(row: StoredRow) throws {
        self = try StoredJSON.decode(WorkflowNodeExecution.self, try row.string("record"), column: "record")
    }

    var stored: String { StoredJSON.encode(self) }
}
