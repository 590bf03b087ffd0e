import Foundation
import GRDB

struct SQLiteWorkflowStore: WorkflowStore {
    let writer: any DatabaseWriter

    func draft(of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowDraft? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM workflow_draft WHERE workspace_id = ? AND app_id = ?", arguments: [workspace.description, app.description]
            ).map { try WorkflowDraft(row: $0) }
        }
    }

    func saveDraft(_ draft: WorkflowDraft, expecting expected: String?, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            let stored = try String.fetchOne(
                db, sql: "SELECT hash FROM workflow_draft WHERE workspace_id = ? AND app_id = ?",
                arguments: [workspace.description, draft.appID.description]
            )
            if let expected, let stored, stored != expected { return false }
            try db.execute(
                sql: """
                    INSERT INTO workflow_draft (app_id, workspace_id, content, hash, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (app_id) DO UPDATE SET content = excluded.content, hash = excluded.hash, updated_at = excluded.updated_at,
                    updated_by = excluded.updated_by
                    """,
                arguments: [
                    draft.appID.description, workspace.description, draft.content.stored, draft.hash, draft.updatedAt.storedValue,
                    draft.updatedBy?.description,
                ]
            )
            return true
        }
    }

    func publish(_ content: WorkflowContent, of app: AppID, by account: AccountID?, at date: Date, in workspace: WorkspaceID) async throws
        -> WorkflowVersion
    {
        try await writer.write { db in
            let last = try Int.fetchOne(
                db, sql: "SELECT max(number) FROM workflow_version WHERE workspace_id = ? AND app_id = ?",
                arguments: [workspace.description, app.description]
            ) ?? 0
            let version = WorkflowVersion(
                id: WorkflowVersionID(), appID: app, number: last + 1, content: content, hash: content.hash, createdAt: date, createdBy: account
            )
            try db.execute(
                sql: """
                    INSERT INTO workflow_version (id, workspace_id, app_id, number, content, hash, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    version.id.description, workspace.description, app.description, version.number, content.stored, version.hash,
                    date.storedValue, account?.description,
                ]
            )
            return version
        }
    }

    func versions(of app: AppID, in workspace: WorkspaceID, page: Int, limit: Int) async throws -> Page<WorkflowVersion> {
        try await writer.read { db in
            let total = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM workflow_version WHERE workspace_id = ? AND app_id = ?", arguments: [workspace.description, app.description]
            ) ?? 0
            let items = try Row.fetchAll(
                db, sql: "SELECT * FROM workflow_version WHERE workspace_id = ? AND app_id = ? ORDER BY number DESC LIMIT ? OFFSET ?",
                arguments: [workspace.description, app.description, limit, (page - 1) * limit]
            ).map { try WorkflowVersion(row: $0) }
            return Page(items: items, total: total, page: page, limit: limit)
        }
    }

    func version(_ id: WorkflowVersionID, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowVersion? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM workflow_version WHERE workspace_id = ? AND app_id = ? AND id = ?",
                arguments: [workspace.description, app.description, id.description]
            ).map { try WorkflowVersion(row: $0) }
        }
    }

    func latestVersionHash(of app: AppID, in workspace: WorkspaceID) async throws -> (id: WorkflowVersionID, hash: String)? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT id, hash FROM workflow_version WHERE workspace_id = ? AND app_id = ? ORDER BY number DESC LIMIT 1",
                arguments: [workspace.description, app.description]
            ).map { (try $0.identifier("id"), try $0.string("hash")) }
        }
    }

    func insertRun(_ run: WorkflowRun) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO workflow_run (id, workspace_id, app_id, workflow_id, task_id, triggered_from, end_user, status, inputs,
                    outputs, error, elapsed_time, total_tokens, total_steps, created_at, finished_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run.id.description, run.workspaceID.description, run.appID.description, run.workflowID, run.taskID, run.trigger.rawValue,
                    run.endUser, run.status.rawValue, run.storedInputs, run.storedOutputs, run.error, run.elapsedTime, run.totalTokens,
                    run.totalSteps, run.createdAt.storedValue, run.finishedAt?.storedValue,
                ]
            )
        }
    }

    func finishRun(_ run: WorkflowRun, nodes: [WorkflowNodeExecution]) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE workflow_run SET status = ?, outputs = ?, error = ?, elapsed_time = ?, total_tokens = ?, total_steps = ?,
                    finished_at = ? WHERE workspace_id = ? AND id = ?
                    """,
                arguments: [
                    run.status.rawValue, run.storedOutputs, run.error, run.elapsedTime, run.totalTokens, run.totalSteps,
                    run.finishedAt?.storedValue, run.workspaceID.description, run.id.description,
                ]
            )
            let statement = try db.makeStatement(
                sql: "INSERT INTO workflow_node_execution (id, workspace_id, run_id, position, record) VALUES (?, ?, ?, ?, ?)"
            )
            for node in nodes {
                try statement.execute(arguments: [node.id, run.workspaceID.description, run.id.description, node.index, node.stored])
            }
        }
    }

    func run(_ id: WorkflowRunID, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowRun? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM workflow_run WHERE workspace_id = ? AND app_id = ? AND id = ?",
                arguments: [workspace.description, app.description, id.description]
            ).map { try WorkflowRun(row: $0) }
        }
    }

    func run(task taskID: String, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowRun? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM workflow_run WHERE workspace_id = ? AND app_id = ? AND task_id = ?",
                arguments: [workspace.description, app.description, taskID]
            ).map { try WorkflowRun(row: $0) }
        }
    }

    func nodeExecutions(of run: WorkflowRunID, in workspace: WorkspaceID) async throws -> [WorkflowNodeExecution] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT record FROM workflow_node_execution WHERE workspace_id = ? AND run_id = ? ORDER BY position",
                arguments: [workspace.description, run.description]
            ).map { try WorkflowNodeExecution(row: $0) }
        }
    }

    func runs(of app: AppID, in workspace: WorkspaceID, status: WorkflowRun.Status?, page: Int, limit: Int) async throws -> Page<WorkflowRun> {
        try await writer.read { db in
            let filter = "workspace_id = ? AND app_id = ?" + (status == nil ? "" : " AND status = ?")
            var arguments: StatementArguments = [workspace.description, app.description]
            if let status { arguments += [status.rawValue] }
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM workflow_run WHERE \(filter)", arguments: arguments) ?? 0
            let items = try Row.fetchAll(
                db, sql: "SELECT * FROM workflow_run WHERE \(filter) ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                arguments: arguments + [limit, (page - 1) * limit]
            ).map { try WorkflowRun(row: $0) }
            return Page(items: items, total: total, page: page, limit: limit)
        }
    }

    func requestStop(of run: WorkflowRunID, in workspace: WorkspaceID, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE workflow_run SET stop_requested_at = ? WHERE id = ? AND workspace_id = ? AND status = 'running'",
                arguments: [date.storedValue, run.description, workspace.description]
            )
        }
    }

    func stopRequests(after date: Date) async throws -> [(taskID: String, requestedAt: Date)] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT task_id, stop_requested_at FROM workflow_run WHERE stop_requested_at >= ? AND status = 'running'",
                arguments: [date.storedValue]
            ).map { (try $0.string("task_id"), try $0.date("stop_requested_at")) }
        }
    }
}
