import Foundation
import PostgresNIO

struct PostgresWorkflowStore: WorkflowStore {
    let database: PostgresDatabase

    func draft(of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowDraft? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                "SELECT * FROM workflow_draft WHERE workspace_id = \(workspace.description) AND app_id = \(app.description)",
                logger: database.logger
            ).first.map { try WorkflowDraft(row: $0) }
        }
    }

    func saveDraft(_ draft: WorkflowDraft, expecting expected: String?, in workspace: WorkspaceID) async throws -> Bool {
        try await database.transaction(.workspace(workspace)) { connection in
            // The row lock (or, for a first draft, the insert's conflict) orders two saves of one app.
            let stored = try await connection.rows(
                "SELECT hash FROM workflow_draft WHERE workspace_id = \(workspace.description) AND app_id = \(draft.appID.description) FOR UPDATE",
                logger: database.logger
            ).first.map { try $0.string("hash") }
            if let expected, let stored, stored != expected { return false }
            try await connection.run(
                """
                INSERT INTO workflow_draft (app_id, workspace_id, content, hash, updated_at, updated_by)
                VALUES (\(draft.appID.description), \(workspace.description), \(draft.content.stored), \(draft.hash),
                \(draft.updatedAt.storedValue), \(draft.updatedBy?.description))
                ON CONFLICT (app_id) DO UPDATE SET content = excluded.content, hash = excluded.hash, updated_at = excluded.updated_at,
                updated_by = excluded.updated_by
                """,
                logger: database.logger
            )
            return true
        }
    }

    func publish(_ content: WorkflowContent, of app: AppID, by account: AccountID?, at date: Date, in workspace: WorkspaceID) async throws
        -> WorkflowVersion
    {
        try await database.transaction(.workspace(workspace)) { connection in
            // One publisher of an app at a time, so two cannot take the same number.
            try await connection.run("SELECT pg_advisory_xact_lock(hashtext(\("workflow/" + app.description)))", logger: database.logger)
            let last = try await connection.rows(
                """
                SELECT coalesce(max(number), 0)::BIGINT AS last FROM workflow_version
                WHERE workspace_id = \(workspace.description) AND app_id = \(app.description)
                """,
                logger: database.logger
            ).first?.int("last") ?? 0
            let version = WorkflowVersion(
                id: WorkflowVersionID(), appID: app, number: last + 1, content: content, hash: content.hash, createdAt: date, createdBy: account
            )
            try await connection.run(
                """
                INSERT INTO workflow_version (id, workspace_id, app_id, number, content, hash, created_at, created_by)
                VALUES (\(version.id.description), \(workspace.description), \(app.description), \(version.number), \(content.stored),
                \(version.hash), \(date.storedValue), \(account?.description))
                """,
                logger: database.logger
            )
            return version
        }
    }

    func versions(of app: AppID, in workspace: WorkspaceID, page: Int, limit: Int) async throws -> Page<WorkflowVersion> {
        try await database.transaction(.workspace(workspace)) { connection in
            let total = try await connection.rows(
                "SELECT COUNT(*) AS n FROM workflow_version WHERE workspace_id = \(workspace.description) AND app_id = \(app.description)",
                logger: database.logger
            ).first?.int("n") ?? 0
            let items = try await connection.rows(
                """
                SELECT * FROM workflow_version WHERE workspace_id = \(workspace.description) AND app_id = \(app.description)
                ORDER BY number DESC LIMIT \(limit) OFFSET \((page - 1) * limit)
                """,
                logger: database.logger
            ).map { try WorkflowVersion(row: $0) }
            return Page(items: items, total: total, page: page, limit: limit)
        }
    }

    func version(_ id: WorkflowVersionID, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowVersion? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT * FROM workflow_version WHERE workspace_id = \(workspace.description) AND app_id = \(app.description)
                AND id = \(id.description)
                """,
                logger: database.logger
            ).first.map { try WorkflowVersion(row: $0) }
        }
    }

    func latestVersionHash(of app: AppID, in workspace: WorkspaceID) async throws -> (id: WorkflowVersionID, hash: String)? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT id, hash FROM workflow_version WHERE workspace_id = \(workspace.description) AND app_id = \(app.description)
                ORDER BY number DESC LIMIT 1
                """,
                logger: database.logger
            ).first.map { (try $0.identifier("id"), try $0.string("hash")) }
        }
    }

    func insertRun(_ run: WorkflowRun) async throws {
        try await database.transaction(.workspace(run.workspaceID)) { connection in
            try await connection.run(
                """
                INSERT INTO workflow_run (id, workspace_id, app_id, workflow_id, task_id, triggered_from, end_user, status, inputs,
                outputs, error, elapsed_time, total_tokens, total_steps, created_at, finished_at)
                VALUES (\(run.id.description), \(run.workspaceID.description), \(run.appID.description), \(run.workflowID), \(run.taskID),
                \(run.trigger.rawValue), \(run.endUser), \(run.status.rawValue), \(run.storedInputs), \(run.storedOutputs), \(run.error),
                \(run.elapsedTime), \(run.totalTokens), \(run.totalSteps), \(run.createdAt.storedValue), \(run.finishedAt?.storedValue))
                """,
                logger: database.logger
            )
        }
    }

    func finishRun(_ run: WorkflowRun, nodes: [WorkflowNodeExecution]) async throws {
        try await database.transaction(.workspace(run.workspaceID)) { connection in
            try await connection.run(
                """
                UPDATE workflow_run SET status = \(run.status.rawValue), outputs = \(run.storedOutputs), error = \(run.error),
                elapsed_time = \(run.elapsedTime), total_tokens = \(run.totalTokens), total_steps = \(run.totalSteps),
                finished_at = \(run.finishedAt?.storedValue) WHERE workspace_id = \(run.workspaceID.description) AND id = \(run.id.description)
                """,
                logger: database.logger
            )
            guard !nodes.isEmpty else { return }
            // One statement for all of a run's nodes.
            try await connection.run(
                """
                INSERT INTO workflow_node_execution (id, workspace_id, run_id, position, record)
                SELECT id, \(run.workspaceID.description), \(run.id.description), position, record
                FROM unnest(\(nodes.map(\.id))::TEXT[], \(nodes.map(\.index))::BIGINT[], \(nodes.map(\.stored))::TEXT[]) AS n(id, position, record)
                """,
                logger: database.logger
            )
        }
    }

    func run(_ id: WorkflowRunID, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowRun? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT * FROM workflow_run WHERE workspace_id = \(workspace.description) AND app_id = \(app.description) AND id = \(id.description)
                """,
                logger: database.logger
            ).first.map { try WorkflowRun(row: $0) }
        }
    }

    func run(task taskID: String, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowRun? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT * FROM workflow_run WHERE workspace_id = \(workspace.description) AND app_id = \(app.description) AND task_id = \(taskID)
                """,
                logger: database.logger
            ).first.map { try WorkflowRun(row: $0) }
        }
    }

    func nodeExecutions(of run: WorkflowRunID, in workspace: WorkspaceID) async throws -> [WorkflowNodeExecution] {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT record FROM workflow_node_execution WHERE workspace_id = \(workspace.description) AND run_id = \(run.description)
                ORDER BY position
                """,
                logger: database.logger
            ).map { try WorkflowNodeExecution(row: $0) }
        }
    }

    func runs(of app: AppID, in workspace: WorkspaceID, status: WorkflowRun.Status?, page: Int, limit: Int) async throws -> Page<WorkflowRun> {
        try await database.transaction(.workspace(workspace)) { connection in
            let status = status?.rawValue
            let total = try await connection.rows(
                """
                SELECT COUNT(*) AS n FROM workflow_run WHERE workspace_id = \(workspace.description) AND app_id = \(app.description)
                AND (\(status)::TEXT IS NULL OR status = \(status))
                """,
                logger: database.logger
            ).first?.int("n") ?? 0
            let items = try await connection.rows(
                """
                SELECT * FROM workflow_run WHERE workspace_id = \(workspace.description) AND app_id = \(app.description)
                AND (\(status)::TEXT IS NULL OR status = \(status)) ORDER BY created_at DESC, id LIMIT \(limit) OFFSET \((page - 1) * limit)
                """,
                logger: database.logger
            ).map { try WorkflowRun(row: $0) }
            return Page(items: items, total: total, page: page, limit: limit)
        }
    }

    func requestStop(of run: WorkflowRunID, in workspace: WorkspaceID, at date: Date) async throws {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.run(
                """
                UPDATE workflow_run SET stop_requested_at = \(date.storedValue)
                WHERE id = \(run.description) AND workspace_id = \(workspace.description) AND status = 'running'
                """,
                logger: database.logger
            )
        }
    }

    func stopRequests(after date: Date) async throws -> [(taskID: String, requestedAt: Date)] {
        // The instance that runs a task does not know its workspace from the request: it looks across all of them.
        try await database.transaction(.allWorkspaces) { connection in
            try await connection.rows(
                "SELECT task_id, stop_requested_at FROM workflow_run WHERE stop_requested_at >= \(date.storedValue) AND status = 'running'",
                logger: database.logger
            ).map { (try $0.string("task_id"), try $0.date("stop_requested_at")) }
        }
    }
}
