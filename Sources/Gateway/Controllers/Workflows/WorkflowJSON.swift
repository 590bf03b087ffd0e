import Core
import Foundation

/// Workflow runs, node executions and versions in Dify's wire shapes (timestamps in whole seconds).
enum WorkflowJSON {
    static func seconds(_ date: Date?) -> JSONValue {
        date.map { .number($0.timeIntervalSince1970.rounded(.down)) } ?? .null
    }

    static func object(_ values: [String: JSONValue]?) -> JSONValue {
        values.map(JSONValue.object) ?? .null
    }

    /// The run as `workflow_finished`, the blocking answer and `GET /workflows/run/{id}` give it.
    static func run(_ run: WorkflowRun) -> JSONValue {
        [
            "id": .string(run.id.description), "workflow_id": .string(run.workflowID), "status": .string(run.status.rawValue),
            "inputs": .object(run.inputs), "outputs": object(run.outputs), "error": run.error.map(JSONValue.string) ?? .null,
            "elapsed_time": .number(run.elapsedTime), "total_tokens": .number(Double(run.totalTokens)),
            "total_steps": .number(Double(run.totalSteps)), "created_at": seconds(run.createdAt), "finished_at": seconds(run.finishedAt),
        ]
    }

    static func node(_ node: WorkflowNodeExecution, finished: Bool) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(node.id), "node_id": .string(node.nodeID), "node_type": .string(node.nodeType), "title": .string(node.title),
            "index": .number(Double(node.index)), "predecessor_node_id": node.predecessorNodeID.map(JSONValue.string) ?? .null,
            "inputs": object(node.inputs), "created_at": seconds(node.createdAt),
        ]
        if let iteration = node.iterationID {
            fields["iteration_id"] = .string(iteration)
            fields["iteration_index"] = node.iterationIndex.map { .number(Double($0)) } ?? .null
        }
        if finished {
            fields["outputs"] = object(node.outputs)
            fields["status"] = .string(node.status.rawValue)
            fields["error"] = node.error.map(JSONValue.string) ?? .null
            fields["elapsed_time"] = .number(node.elapsedTime)
            fields["execution_metadata"] = ["total_tokens": .number(Double(node.tokens)), "total_price": 0, "currency": "USD"]
            fields["finished_at"] = seconds(node.finishedAt)
        }
        return .object(fields)
    }

    static func version(_ version: WorkflowVersion) -> JSONValue {
        [
            "id": .string(version.id.description), "version": .string(version.name), "graph": version.content.graph,
            "features": version.content.features, "environment_variables": .array(version.content.environmentVariables),
            "conversation_variables": .array(version.content.conversationVariables), "hash": .string(version.hash),
            "created_at": seconds(version.createdAt), "created_by": version.createdBy.map { .string($0.description) } ?? .null,
        ]
    }

    /// A workflow event as an SSE payload: `event`, `task_id`, `workflow_run_id`, `created_at` (when it happened, on the
    /// server's clock), and `data`.
    static func event(_ event: WorkflowEvent, of run: WorkflowRun, at date: Date) -> JSONValue {
        let name: String
        let data: JSONValue
        switch event {
        case .workflowStarted(let started):
            name = "workflow_started"
            data = [
                "id": .string(started.id.description), "workflow_id": .string(started.workflowID), "inputs": .object(started.inputs),
                "created_at": seconds(started.createdAt),
            ]
        case .nodeStarted(let node):
            name = "node_started"
            data = Self.node(node, finished: false)
        case .nodeFinished(let node):
            name = "node_finished"
            data = Self.node(node, finished: true)
        case .textChunk(let text, let selector):
            name = "text_chunk"
            data = ["text": .string(text), "from_variable_selector": .array(selector.map(JSONValue.string))]
        case .workflowFinished(let finished):
            name = "workflow_finished"
            data = Self.run(finished)
        }
        return [
            "event": .string(name), "task_id": .string(run.taskID), "workflow_run_id": .string(run.id.description),
            "created_at": seconds(date), "data": data,
        ]
    }
}
