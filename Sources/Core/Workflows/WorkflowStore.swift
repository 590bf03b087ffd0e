public import Foundation

/// Storage of workflow drafts, versions and runs. Every method is scoped by workspace: another workspace's app, version
/// or run is indistinguishable from none.
public struct WorkflowStore: StopRequests {
    let database: SQLDatabase

    /// Stop requests are recorded on the run that runs the task.
    private var stops: TaskStopRequests { TaskStopRequests(table: "workflow_run", database: database) }

    public func draft(of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowDraft? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row("SELECT * FROM workflow_draft WHERE workspace_id = \(workspace) AND app_id = \(app)")
                .map(WorkflowDraft.init(row:))
        }
    }

    /// Stores the draft, if the stored one's hash is `expected` (when given); `false` when it is not (someone else
    /// saved meanwhile), changing nothing.
    public func saveDraft(_ draft: WorkflowDraft, expecting expected: String?, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            // On PostgreSQL the row lock (or, for a first draft, the insert's conflict) orders two saves of one app;
            // SQLite's writer holds the whole database already (and has no FOR UPDATE).
            let stored = try await transaction.row(
                """
                SELECT hash FROM workflow_draft WHERE workspace_id = \(workspace) AND app_id = \(draft.appID)
                \(SQL.dialect(sqlite: "", postgres: "FOR UPDATE"))
                """
            ).map { try $0.string("hash") }
            if let expected, let stored, stored != expected { return false }
            try await transaction.execute(
                """
                INSERT INTO workflow_draft (app_id, workspace_id, content, hash, updated_at, updated_by)
                VALUES (\(draft.appID), \(workspace), \(draft.content.stored), \(draft.hash), \(draft.updatedAt), \(draft.updatedBy))
                ON CONFLICT (app_id) DO UPDATE SET content = excluded.content, hash = excluded.hash, updated_at = excluded.updated_at,
                updated_by = excluded.updated_by
                """
            )
            return true
        }
    }

    /// Stores `content` as the app's next version (numbered after the last, in one transaction).
    public func publish(
        _ content: WorkflowContent, of app: AppID, by account: AccountID?, at date: Date, in workspace: WorkspaceID
    )
        async throws -> WorkflowVersion
    {
        try await database.write(.workspace(workspace)) { transaction in
            // One publisher of an app at a time, so two cannot take the same number. SQLite's writer already is the only one.
            if transaction.dialect == .postgres {
                try await transaction.lock("workflow/" + app.description)
            }
            let last = try await transaction.count(
                "SELECT COALESCE(MAX(number), 0) AS n FROM workflow_version WHERE workspace_id = \(workspace) AND app_id = \(app)"
            )
            let version = WorkflowVersion(
                id: WorkflowVersionID(), appID: app, number: last + 1, content: content, hash: content.hash, createdAt: date, createdBy: account
            )
            try await transaction.execute(
                """
                INSERT INTO workflow_version (id, workspace_id, app_id, number, content, hash, created_at, created_by)
                VALUES (\(version.id), \(workspace), \(app), \(version.number), \(content.stored), \(version.hash), \(date), \(account))
                """
            )
            return version
        }
    }

    /// Versions newest first.
    public func versions(of app: AppID, in workspace: WorkspaceID, page: Int, limit: Int) async throws -> Page<WorkflowVersion> {
        try await database.read(.workspace(workspace)) { transaction in
            let total = try await transaction.count(
                "SELECT COUNT(*) AS n FROM workflow_version WHERE workspace_id = \(workspace) AND app_id = \(app)"
            )
            let items = try await transaction.rows(
                """
                SELECT * FROM workflow_version WHERE workspace_id = \(workspace) AND app_id = \(app)
                ORDER BY number DESC LIMIT \(limit) OFFSET \((page - 1) * limit)
                """
            ).map(WorkflowVersion.init(row:))
            return Page(items: items, total: total, page: page, limit: limit)
        }
    }

    public func version(_ id: WorkflowVersionID, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowVersion? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row(
                "SELECT * FROM workflow_version WHERE workspace_id = \(workspace) AND app_id = \(app) AND id = \(id)"
            ).map(WorkflowVersion.init(row:))
        }
    }

    /// The newest version's id and hash, without its content: what a run needs when the version is compiled already.
    public func latestVersionHash(of app: AppID, in workspace: WorkspaceID) async throws -> (id: WorkflowVersionID, hash: String)? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row(
                "SELECT id, hash FROM workflow_version WHERE workspace_id = \(workspace) AND app_id = \(app) ORDER BY number DESC LIMIT 1"
            ).map { (try $0.identifier("id"), try $0.string("hash")) }
        }
    }

    public func insertRun(_ run: WorkflowRun) async throws {
        try await database.write(.workspace(run.workspaceID)) { transaction in
            try await transaction.execute(
                """
                INSERT INTO workflow_run (id, workspace_id, app_id, workflow_id, task_id, triggered_from, end_user, status, inputs,
                outputs, error, elapsed_time, total_tokens, total_steps, created_at, finished_at)
                VALUES (\(run.id), \(run.workspaceID), \(run.appID), \(run.workflowID), \(run.taskID), \(run.trigger.rawValue),
                \(run.endUser), \(run.status.rawValue), \(run.storedInputs), \(run.storedOutputs), \(run.error), \(run.elapsedTime),
                \(run.totalTokens), \(run.totalSteps), \(run.createdAt), \(run.finishedAt))
                """
            )
        }
    }

    /// Stores how a run ended, with its node executions.
    public func finishRun(_ run: WorkflowRun, nodes: [WorkflowNodeExecution]) async throws {
        try await database.write(.workspace(run.workspaceID)) { transaction in
            try await transaction.execute(
                """
                UPDATE workflow_run SET status = \(run.status.rawValue), outputs = \(run.storedOutputs), error = \(run.error),
                elapsed_time = \(run.elapsedTime), total_tokens = \(run.totalTokens), total_steps = \(run.totalSteps),
                finished_at = \(run.finishedAt) WHERE workspace_id = \(run.workspaceID) AND id = \(run.id)
                """
            )
            try await transaction.insert(
                "INSERT INTO workflow_node_execution (id, workspace_id, run_id, position, record)",
                values: nodes.map { node in "(\(node.id), \(run.workspaceID), \(run.id), \(node.index), \(node.stored))" }
            )
        }
    }

    public func run(_ id: WorkflowRunID, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowRun? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row("SELECT * FROM workflow_run WHERE workspace_id = \(workspace) AND app_id = \(app) AND id = \(id)")
                .map(WorkflowRun.init(row:))
        }
    }

    public func run(task taskID: String, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowRun? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.row(
                "SELECT * FROM workflow_run WHERE workspace_id = \(workspace) AND app_id = \(app) AND task_id = \(taskID)"
            ).map(WorkflowRun.init(row:))
        }
    }

    public func nodeExecutions(of run: WorkflowRunID, in workspace: WorkspaceID) async throws -> [WorkflowNodeExecution] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                "SELECT record FROM workflow_node_execution WHERE workspace_id = \(workspace) AND run_id = \(run) ORDER BY position"
            ).map(WorkflowNodeExecution.init(row:))
        }
    }

    /// Asks whichever instance runs the run's task to stop it.
    public func requestStop(of run: WorkflowRunID, in workspace: WorkspaceID, at date: Date) async throws {
        try await stops.requestStop(of: run, in: workspace, at: date)
    }

    public func stopRequests(after date: Date) async throws -> [(taskID: String, requestedAt: Date)] {
        try await stops.stopRequests(after: date)
    }

    /// Runs of an app, newest first, optionally of one status only.
    public func runs(
        of app: AppID, in workspace: WorkspaceID, status: WorkflowRun.Status?, page: Int, limit: Int
    ) async throws
        -> Page<WorkflowRun>
    {
        try await database.read(.workspace(workspace)) { transaction in
            var filter: SQL = "workspace_id = \(workspace) AND app_id = \(app)"
            if let status { filter += " AND status = \(status.rawValue)" }
            let total = try await transaction.count("SELECT COUNT(*) AS n FROM workflow_run WHERE \(filter)")
            let items = try await transaction.rows(
                "SELECT * FROM workflow_run WHERE \(filter) ORDER BY created_at DESC, id LIMIT \(limit) OFFSET \((page - 1) * limit)"
            ).map(WorkflowRun.init(row:))
            return Page(items: items, total: total, page: page, limit: limit)
        }
    }
}
