import Core
import Foundation
import Hummingbird
import Tenancy

/// The Public API of workflow apps: `POST /workflows/run` (blocking or streaming), `GET /workflows/run/{id}`,
/// `POST /workflows/tasks/{task_id}/stop` and `GET /workflows/logs`.
///
/// Each run is charged by `ModelCallBilling`: a credit reserved before it starts, spent when its LLM nodes used tokens.
struct WorkflowRunsController {
    let workflows: WorkflowService
    let runner: WorkflowRunner
    let billing: ModelCallBilling

    struct RunRequest: Decodable {
        let inputs: [String: JSONValue]?
        let user: String?
        let responseMode: String?

        enum CodingKeys: String, CodingKey {
            case inputs, user
            case responseMode = "response_mode"
        }
    }

    struct StopRequest: Decodable {
        let user: String?
    }

    func addRoutes(to group: RouterGroup<PublicContext>) {
        group.post("workflows/run") { request, context in
            let grant = context.grant
            try grant.require(grant.app.mode.permission)
            var request = request
            let body = try await request.decodeJSON(as: RunRequest.self)
            let scope = try EndUserScope(grant, user: body.user)
            let mode: WorkflowRunner.ResponseMode = try parseEnum(body.responseMode ?? "blocking", field: "response_mode")
            guard let inputs = body.inputs else { throw RelayError.required("inputs") }
            let prepared = try await workflows.prepareRun(of: grant.app, inputs: inputs, endUser: scope.endUser, trigger: .appRun)
            let charge = try await billing.begin(for: grant)
            return try await runner.respond(prepared, mode: mode, request: request, context: context) { run in
                await charge.settle(.workflowRun(run))
            }
        }
        group.get("workflows/run/:workflow_run_id") { _, context in
            try context.grant.require(context.grant.app.mode.permission)
            let run = try await workflows.run(try context.id("workflow_run_id"), of: context.grant.app)
            return JSONBody(WorkflowJSON.run(run))
        }
        group.post("workflows/tasks/:task_id/stop") { request, context in
            try context.grant.require(context.grant.app.mode.permission)
            var request = request
            let body = try await request.decodeJSON(as: StopRequest.self)
            let scope = try EndUserScope(context.grant, user: body.user)
            try await workflows.stop(task: try context.parameters.require("task_id"), of: scope)
            return SuccessBody()
        }
        group.get("workflows/logs") { request, context in
            try context.grant.require(context.grant.app.mode.permission)
            let status: WorkflowRun.Status? = try request.queryString("status").flatMap { text in
                text.isEmpty ? nil : try parseEnum(text, field: "status")
            }
            let page = try await workflows.runs(
                of: context.grant.app, status: status, page: try request.queryInt("page", default: 1),
                limit: try request.queryInt("limit", default: 20)
            )
            return JSONBody([
                "page": .number(Double(page.page)), "limit": .number(Double(page.limit)), "total": .number(Double(page.total)),
                "has_more": .bool(page.hasMore),
                "data": .array(
                    page.items.map { run in
                        [
                            "id": .string(run.id.description), "workflow_run": WorkflowJSON.run(run), "created_from": "service-api",
                            "created_by_role": "end_user", "created_by_end_user": ["session_id": .string(run.endUser)],
                            "created_at": WorkflowJSON.seconds(run.createdAt),
                        ]
                    }
                ),
            ])
        }
    }
}
