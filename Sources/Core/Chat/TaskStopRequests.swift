import Foundation

/// Stop requests recorded on the rows of running tasks (`message`, `workflow_run`): both tables keep a task's `task_id`,
/// `status` and `stop_requested_at`, so the chat and workflow stores share this one implementation.
struct TaskStopRequests: Sendable {
    /// Trusted: one of the stores' own table names, spliced into the statements.
    let table: String
    let database: SQLDatabase

    /// Records a stop request on the row `id` if its task is still running.
    func requestStop<Entity>(of id: Identifier<Entity>, in workspace: WorkspaceID, at date: Date) async throws {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute(
                """
                UPDATE \(unescaped: table) SET stop_requested_at = \(date)
                WHERE id = \(id) AND workspace_id = \(workspace) AND status = 'running'
                """
            )
        }
    }

    /// Running tasks, in any workspace, whose stop was requested at or after `date`, with when.
    func stopRequests(after date: Date) async throws -> [(taskID: String, requestedAt: Date)] {
        // The instance that runs a task does not know its workspace from the request: it looks across all of them.
        try await database.read(.allWorkspaces) { transaction in
            try await transaction.rows(
                "SELECT task_id, stop_requested_at FROM \(unescaped: table) WHERE stop_requested_at >= \(date) AND status = 'running'"
            ).map { (try $0.string("task_id"), try $0.date("stop_requested_at")) }
        }
    }
}
