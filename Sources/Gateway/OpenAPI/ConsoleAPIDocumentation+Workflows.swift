import OpenAPIKit

/// `WorkflowsController`: an app's draft workflow, its versions, draft runs and the runs' node executions.
extension ConsoleAPIDocumentation {
    static let runStatuses = ["running", "succeeded", "failed", "stopped"]

    /// `WorkflowJSON.run`.
    static let workflowRun: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "workflow_id": .string(description: "The version run, or `draft`"),
            "status": DocSchemas.enumeration(runStatuses),
            "inputs": .object,
            "outputs": JSONSchema.object.nullable,
            "error": DocSchemas.nullableString,
            "elapsed_time": .number(description: "Seconds"),
            "total_tokens": .integer,
            "total_steps": .integer,
            "created_at": .timestamp,
            "finished_at": DocSchemas.nullableTimestamp,
        ]
    )

    /// `WorkflowJSON.node(_, finished: true)`; `iteration_id` and `iteration_index` only within an iteration.
    static let nodeExecution: JSONSchema = .object(
        properties: [
            "id": .string,
            "node_id": .string,
            "node_type": .string,
            "title": .string,
            "index": .integer,
            "predecessor_node_id": DocSchemas.nullableString,
            "inputs": JSONSchema.object.nullable,
            "created_at": .timestamp,
            "iteration_id": JSONSchema.string.optional,
            "iteration_index": JSONSchema.integer.nullable.optional,
            "outputs": JSONSchema.object.nullable,
            "status": DocSchemas.enumeration(["running", "succeeded", "failed", "exception"]),
            "error": DocSchemas.nullableString,
            "elapsed_time": .number,
            "execution_metadata": .object(properties: ["total_tokens": .integer, "total_price": .number, "currency": .string]),
            "finished_at": DocSchemas.nullableTimestamp,
        ]
    )

    /// `WorkflowJSON.version`.
    static let workflowVersion: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "version": .string,
            "graph": .anyValue,
            "features": .anyValue,
            "environment_variables": .array(items: .anyValue),
            "conversation_variables": .array(items: .anyValue),
            "hash": .string,
            "created_at": .timestamp,
            "created_by": DocSchemas.nullableString,
        ]
    )

    /// `{"result": "success", "hash", "updated_at"}`: the draft saved or restored.
    static let draftSaved: JSONSchema = .object(
        properties: ["result": DocSchemas.enumeration(["success"]), "hash": .string, "updated_at": .timestamp]
    )

    static var workflows: [DocumentedOperation] {
        let tag = "Workflows"
        let notWorkflow = "400 `not_workflow_app` for an app of another mode"
        return [
            operation(
                .get, "/apps/{app_id}/workflows/draft", id: "workflows.draft.get", summary: "An app's draft workflow",
                description: notWorkflow + "; 404 `draft_workflow_not_exist` before one is saved", tag: tag, parameters: [appID],
                responses: [
                    200: .json(
                        "The draft",
                        .object(
                            properties: [
                                "graph": .anyValue,
                                "features": .anyValue,
                                "environment_variables": .array(items: .anyValue),
                                "conversation_variables": .array(items: .anyValue),
                                "hash": .string(description: "Send it back with the next save"),
                                "updated_at": .timestamp,
                                "updated_by": DocSchemas.nullableString,
                            ]
                        )
                    )
                ],
                errors: [404]
            ),
            operation(
                .post, "/apps/{app_id}/workflows/draft", id: "workflows.draft.save", summary: "Save the draft workflow",
                description: """
                    Editors and up. The graph is checked (400 naming what is wrong); with `hash`, nothing is saved when someone \
                    else saved since (400 `draft_workflow_not_sync`). \(notWorkflow).
                    """,
                tag: tag, parameters: [appID],
                body: jsonBody(
                    .object(
                        properties: [
                            "graph": .object(description: "`{nodes, edges}`; required"),
                            "features": JSONSchema.anyValue.optional,
                            "environment_variables": .array(required: false, nullable: true, items: .anyValue),
                            "conversation_variables": .array(required: false, nullable: true, items: .anyValue),
                            "hash": .string(
                                required: false, nullable: true, description: "The hash of the draft the editor started from"
                            ),
                        ]
                    )
                ),
                responses: [200: .json("Saved", draftSaved)], errors: [404]
            ),
            operation(
                .post, "/apps/{app_id}/workflows/publish", id: "workflows.publish", summary: "Publish the draft as the next version",
                description: "Editors and up; the draft is checked again. " + notWorkflow, tag: tag, parameters: [appID],
                responses: [
                    200: .json(
                        "Published",
                        .object(
                            properties: [
                                "result": DocSchemas.enumeration(["success"]), "id": .uuid, "version": .string,
                                "published_at": .timestamp, "created_at": .timestamp,
                            ]
                        )
                    )
                ],
                errors: [404]
            ),
            operation(
                .get, "/apps/{app_id}/workflows", id: "workflows.versions", summary: "An app's published versions, newest first",
                description: notWorkflow, tag: tag, parameters: [appID, DocSchemas.page, DocSchemas.limit(max: 100, default: 10)],
                responses: [
                    200: .json(
                        "A page of versions",
                        .object(
                            properties: [
                                "items": .array(items: workflowVersion), "page": .integer, "limit": .integer, "total": .integer,
                                "has_more": .boolean,
                            ]
                        )
                    )
                ],
                errors: [404]
            ),
            operation(
                .post, "/apps/{app_id}/workflows/{version_id}/restore", id: "workflows.restore",
                summary: "Make a published version the draft again", description: "Editors and up. " + notWorkflow, tag: tag,
                parameters: [appID, .pathID("version_id")], responses: [200: .json("Restored", draftSaved)], errors: [404]
            ),
            operation(
                .get, "/apps/{app_id}/workflow-runs/{run_id}", id: "workflows.runs.get", summary: "One run of an app's workflow",
                tag: tag, parameters: [appID, .pathID("run_id")], responses: [200: .json("The run", workflowRun)], errors: [404]
            ),
            operation(
                .get, "/apps/{app_id}/workflow-runs/{run_id}/node-executions", id: "workflows.runs.nodes",
                summary: "A run's node executions, in the order they started", tag: tag, parameters: [appID, .pathID("run_id")],
                responses: [200: .json("Its node executions", .object(properties: ["data": .array(items: nodeExecution)]))],
                errors: [404]
            ),
            operation(
                .post, "/apps/{app_id}/workflows/draft/run", id: "workflows.draft.run", summary: "Run the draft workflow",
                description: """
                    Editors and up. `streaming` (the default) answers Dify's workflow events as server-sent events \
                    (`workflow_started`, `node_started`, `node_finished`, `text_chunk`, `workflow_finished`; a failure is an \
                    `error` event); `blocking` answers the finished run. The inputs are checked against the start node's form \
                    (400). A node's failure (a plugin, a model) in blocking mode answers its error: 400, or 502, 503 or 504.
                    """,
                tag: tag, parameters: [appID],
                body: jsonBody(
                    .object(
                        properties: [
                            "inputs": JSONSchema.object.nullable.optional,
                            "response_mode": DocSchemas.enumeration(["blocking", "streaming"], nullable: true).optional,
                        ]
                    )
                ),
                responses: [
                    200: .jsonOrEventStream(
                        "The finished run (`blocking`), or its events (`streaming`)",
                        .object(properties: ["task_id": .string, "workflow_run_id": .uuid, "data": workflowRun])
                    )
                ],
                errors: [404, 502, 504]
            ),
        ]
    }
}
