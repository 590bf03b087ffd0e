public import Foundation

/// Storage of workflow drafts, versions and runs. Every method is scoped by workspace: another workspace's app, version
/// or run is indistinguishable from none.
public protocol WorkflowStore: StopRequests {
    func draft(of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowDraft?
    /// Stores the draft, if the stored one's hash is `expected` (when given); `false` when it is not (someone else
    /// saved meanwhile), changing nothing.
    func saveDraft(_ draft: WorkflowDraft, expecting expected: String?, in workspace: WorkspaceID) async throws -> Bool
    /// Stores `content` as the app's next version (numbered after the last, in one transaction).
    func publish(_ content: WorkflowContent, of app: AppID, by account: AccountID?, at date: Date, in workspace: WorkspaceID) async throws
        -> WorkflowVersion
    /// Versions newest first.
    func versions(of app: AppID, in workspace: WorkspaceID, page: Int, limit: Int) async throws -> Page<WorkflowVersion>
    func version(_ id: WorkflowVersionID, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowVersion?
    /// The newest version's id and hash, without its content: what a run needs when the version is compiled already.
    func latestVersionHash(of app: AppID, in workspace: WorkspaceID) async throws -> (id: WorkflowVersionID, hash: String)?

    func insertRun(_ run: WorkflowRun) async throws
    /// Stores how a run ended, with its node executions.
    func finishRun(_ run: WorkflowRun, nodes: [WorkflowNodeExecution]) async throws
    func run(_ id: WorkflowRunID, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowRun?
    func run(task taskID: String, of app: AppID, in workspace: WorkspaceID) async throws -> WorkflowRun?
    func nodeExecutions(of run: WorkflowRunID, in workspace: WorkspaceID) async throws -> [WorkflowNodeExecution]
    /// Asks whichever instance runs the run's task to stop it.
    func requestStop(of run: WorkflowRunID, in workspace: WorkspaceID, at date: Date) async throws
    /// Runs of an app, newest first, optionally of one status only.
    func runs(of app: AppID, in workspace: WorkspaceID, status: WorkflowRun.Status?, page: Int, limit: Int) async throws -> Page<WorkflowRun>
}
