import Core
import Foundation
import Hummingbird

/// The editor's side of an app's workflow: `GET|POST /console/api/apps/{id}/workflows/draft` (with Dify's `hash`
/// against concurrent saves), `POST .../workflows/publish`, `GET .../workflows` (versions), `POST
/// .../workflows/{version}/restore`, `POST .../workflows/draft/run`, and runs with their node executions
/// (`GET .../workflow-runs/{run_id}[/node-executions]`).
struct WorkflowsController {
    let apps: AppService
    let workflows: WorkflowService
    let runner: WorkflowRunner

    struct DraftRequest: Decodable {
        let graph: JSONValue?
        let features: JSONValue?
        let environmentVariables: [JSONValue]?
        let conversationVariables: [JSONValue]?
        let hash: String?

        enum CodingKeys: String, CodingKey {
            case graph, features
            case environmentVariables = "environment_variables"
            case conversationVariables = "conversation_variables"
            case hash
        }
    }

    struct DraftRunRequest: Decodable {
        let inputs: [String: JSONValue]?
        let responseMode: String?

        enum CodingKeys: String, CodingKey {
            case inputs
            case responseMode = "response_mode"
        }
    }

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        group.get("apps/:app_id/workflows/draft") { _, context in
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            let draft = try await workflows.draft(of: app)
            return JSONBody([
                "graph": draft.content.graph, "features": draft.content.features,
                "environment_variables": .array(draft.content.environmentVariables),
                "conversation_variables": .array(draft.content.conversationVariables), "hash": .string(draft.hash),
                "updated_at": WorkflowJSON.seconds(draft.updatedAt), "updated_by": draft.updatedBy.map { .string($0.description) } ?? .null,
            ])
        }
        group.post("apps/:app_id/workflows/draft") { request, context in
            try context.scope.require(\.canEditApps, "Only editors, admins and owners can change workflows")
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            var request = request
            let body = try await request.decodeJSON(as: DraftRequest.self)
            guard let graph = body.graph, graph.object != nil else { throw RelayError.required("graph") }
            let content = WorkflowContent(
                graph: graph, features: body.features ?? [:], environmentVariables: body.environmentVariables ?? [],
                conversationVariables: body.conversationVariables ?? []
            )
            let draft = try await workflows.saveDraft(content, expectedHash: body.hash, of: app, by: context.scope.accountID)
            return JSONBody(["result": "success", "hash": .string(draft.hash), "updated_at": WorkflowJSON.seconds(draft.updatedAt)])
        }
        group.post("apps/:app_id/workflows/publish") { _, context in
            try context.scope.require(\.canEditApps, "Only editors, admins and owners can publish workflows")
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            let version = try await workflows.publish(app, by: context.scope.accountID)
            return JSONBody([
                "result": "success", "id": .string(version.id.description), "version": .string(version.name),
                "published_at": WorkflowJSON.seconds(version.createdAt), "created_at": WorkflowJSON.seconds(version.createdAt),
            ])
        }
        group.get("apps/:app_id/workflows") { request, context in
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            let page = try await workflows.versions(
                of: app, page: try request.queryInt("page", default: 1), limit: try request.queryInt("limit", default: 10)
            )
            return JSONBody([
                "items": .array(page.items.map(WorkflowJSON.version)), "page": .number(Double(page.page)), "limit": .number(Double(page.limit)),
                "total": .number(Double(page.total)), "has_more": .bool(page.hasMore),
            ])
        }
        group.post("apps/:app_id/workflows/:version_id/restore") { _, context in
            try context.scope.require(\.canEditApps, "Only editors, admins and owners can change workflows")
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            let draft = try await workflows.restore(try context.id("version_id"), of: app, by: context.scope.accountID)
            return JSONBody(["result": "success", "hash": .string(draft.hash), "updated_at": WorkflowJSON.seconds(draft.updatedAt)])
        }
        // What the editor shows of a run: Dify's run detail and its node executions, in the order they started.
        group.get("apps/:app_id/workflow-runs/:run_id") { _, context in
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            return JSONBody(WorkflowJSON.run(try await workflows.run(try context.id("run_id"), of: app)))
        }
        group.get("apps/:app_id/workflow-runs/:run_id/node-executions") { _, context in
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            let run = try await workflows.run(try context.id("run_id"), of: app)
            let nodes = try await workflows.nodeExecutions(of: run)
            return JSONBody(["data": .array(nodes.map { WorkflowJSON.node($0, finished: true) })])
        }
        group.post("apps/:app_id/workflows/draft/run") { request, context in
            try context.scope.require(\.canEditApps, "Only editors, admins and owners can run drafts")
            let app = try await apps.find(try context.id("app_id"), in: context.scope)
            var request = request
            let body = try await request.decodeJSON(as: DraftRunRequest.self)
            let mode: WorkflowRunner.ResponseMode = try parseEnum(body.responseMode ?? "streaming", field: "response_mode")
            let prepared = try await workflows.prepareRun(
                of: app, inputs: body.inputs ?? [:], endUser: "account:\(context.scope.accountID)", trigger: .debugging
            )
            return try await runner.respond(prepared, mode: mode, request: request, context: context) { _ in }
        }
    }
}
