public import Foundation
public import Logging
import Synchronization

/// Workflows of `workflow` and `advanced-chat` apps: the draft the editor saves (refused when stale or invalid),
/// versions published from it, and runs of the published version (or of the draft, from the editor).
public struct WorkflowService: Sendable {
    let store: WorkflowStore
    let tasks: RunningTasks
    let services: WorkflowServices
    let logger: Logger
    let now: @Sendable () -> Date
    private let compiled = CompiledWorkflows()

    public init(store: WorkflowStore, tasks: RunningTasks, services: WorkflowServices, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.tasks = tasks
        self.services = services
        self.logger = logger
        self.now = now
    }

    // MARK: Drafts and versions

    public func draft(of app: App) async throws -> WorkflowDraft {
        try requireWorkflowMode(app)
        guard let draft = try await store.draft(of: app.id, in: app.workspaceID) else {
            throw RelayError(
                .draftWorkflowNotExist, "This app has no draft workflow yet: save one with POST /console/api/apps/\(app.id)/workflows/draft")
        }
        return draft
    }

    /// Checks and saves the draft. `expectedHash` is the hash of the draft the editor started from: when another save
    /// came in between, nothing is saved (`draft_workflow_not_sync`).
    public func saveDraft(_ content: WorkflowContent, expectedHash: String?, of app: App, by account: AccountID?) async throws -> WorkflowDraft {
        try requireWorkflowMode(app)
        _ = try compile(content, mode: app.mode)
        let draft = WorkflowDraft(appID: app.id, content: content, hash: content.hash, updatedAt: now(), updatedBy: account)
        guard try await store.saveDraft(draft, expecting: expectedHash, in: app.workspaceID) else {
            throw RelayError(
                .draftWorkflowNotSync, "The workflow was changed by someone else since it was loaded; reload it and apply the change again"
            )
        }
        return draft
    }

    /// Freezes the draft (checked again) as the app's next version, which the Public API runs from now on.
    public func publish(_ app: App, by account: AccountID?) async throws -> WorkflowVersion {
        let draft = try await draft(of: app)
        _ = try compile(draft.content, mode: app.mode)
        return try await store.publish(draft.content, of: app.id, by: account, at: now(), in: app.workspaceID)
    }

    /// The most items of one page of versions or runs.
    public static let maxLimit = 100

    public func versions(of app: App, page: Int, limit: Int) async throws -> Page<WorkflowVersion> {
        try requireWorkflowMode(app)
        try Paging.check(page: page, limit: limit, maxLimit: Self.maxLimit)
        return try await store.versions(of: app.id, in: app.workspaceID, page: page, limit: limit)
    }

    /// Makes a version's content the draft again (whatever the draft held).
    public func restore(_ id: WorkflowVersionID, of app: App, by account: AccountID?) async throws -> WorkflowDraft {
        try requireWorkflowMode(app)
        guard let version = try await store.version(id, of: app.id, in: app.workspaceID) else {
            throw RelayError.notFound("This app has no workflow version \(id)")
        }
        let draft = WorkflowDraft(appID: app.id, content: version.content, hash: version.content.hash, updatedAt: now(), updatedBy: account)
        _ = try await store.saveDraft(draft, expecting: nil, in: app.workspaceID)
        return draft
    }

    private func requireWorkflowMode(_ app: App) throws {
        guard app.mode == .workflow || app.mode == .advancedChat else {
            throw RelayError(.notWorkflowApp, "Only workflow and advanced-chat apps have a workflow; this one is a \(app.mode.rawValue) app")
        }
    }

    /// The compiled graph, cached by the content's hash (`hash` when the caller has it stored, else computed).
    private func compile(_ content: WorkflowContent, hash known: String? = nil, mode: AppMode) throws -> CompiledWorkflow {
        let hash = known ?? content.hash
        if let cached = compiled.get(hash, mode: mode) { return cached }
        let result = WorkflowCompiler.compile(
            content.graph, mode: mode, environment: Set(content.environment.keys), conversation: Set(content.conversationDefaults.keys)
        )
        var workflow = try result.get()
        workflow.environment = content.environment
        workflow.conversationDefaults = content.conversationDefaults
        compiled.put(workflow, for: hash, mode: mode)
        return workflow
    }

    // MARK: Runs

    /// A run ready to start: checked against the app and its input form, not yet stored.
    public struct PreparedRun: Sendable {
        let workflow: CompiledWorkflow
        public let run: WorkflowRun
        /// System variables beyond the run's own: a chatflow's `query`, `conversation_id`, `dialogue_count`.
        let system: [String: JSONValue]
        let history: [(query: String, answer: String)]
    }

    /// What a chatflow run knows of its conversation.
    public struct ChatflowTurn: Sendable {
        public let query: String
        public let conversationID: ConversationID
        /// Earlier exchanges, oldest first.
        public let history: [(query: String, answer: String)]

        public init(query: String, conversationID: ConversationID, history: [(query: String, answer: String)]) {
            self.query = query
            self.conversationID = conversationID
            self.history = history
        }
    }

    /// Checks a run of the published version (`trigger: .appRun`) or of the draft (`.debugging`): the app's mode (a
    /// `workflow` app, or an `advanced-chat` one for a chatflow turn), a version to run, and the inputs against the start
    /// node's form.
    public func prepareRun(
        of app: App, inputs: [String: JSONValue], endUser: String, trigger: WorkflowRun.Trigger, chatflow: ChatflowTurn? = nil
    ) async throws -> PreparedRun {
        let workflow: CompiledWorkflow
        let workflowID: String
        switch trigger {
        case .appRun:
            guard app.mode == (chatflow == nil ? .workflow : .advancedChat) else {
                throw RelayError(.notWorkflowApp, "Please check if your app mode matches the right API route.")
            }
            // The newest version's id and hash; its content is read (and compiled) only the first time.
            guard let latest = try await store.latestVersionHash(of: app.id, in: app.workspaceID) else {
                throw RelayError(.appUnavailable, "This workflow has not been published yet")
            }
            if let cached = compiled.get(latest.hash, mode: app.mode) {
                workflow = cached
            } else {
                guard let version = try await store.version(latest.id, of: app.id, in: app.workspaceID) else {
                    throw RelayError(.appUnavailable, "This workflow has not been published yet")
                }
                workflow = try compile(version.content, hash: version.hash, mode: app.mode)
            }
            workflowID = latest.id.description
        case .debugging:
            let draft = try await draft(of: app)
            workflow = try compile(draft.content, hash: draft.hash, mode: app.mode)
            workflowID = "draft"
        }
        let accepted = try workflow.inputForm.accept(inputs)
        let run = WorkflowRun(
            id: WorkflowRunID(), workspaceID: app.workspaceID, appID: app.id, workflowID: workflowID, taskID: UUID().uuidString.lowercased(),
            trigger: trigger, endUser: endUser, status: .running, inputs: accepted, createdAt: now()
        )
        var system: [String: JSONValue] = [:]
        if let chatflow {
            system = [
                "query": .string(chatflow.query), "conversation_id": .string(chatflow.conversationID.description),
                "dialogue_count": .number(Double(chatflow.history.count + 1)),
            ]
        }
        return PreparedRun(workflow: workflow, run: run, system: system, history: chatflow?.history ?? [])
    }

    /// Runs it to its end, passing each event to `onEvent` as it happens, and stores how it went. A stop request, or
    /// cancellation of the calling task, stops the nodes running and ends the run `stopped`.
    public func execute(_ prepared: PreparedRun, onEvent: @escaping @Sendable (WorkflowEvent) async -> Void) async throws -> WorkflowRun {
        var run = prepared.run
        try await store.insertRun(run)
        await onEvent(.workflowStarted(run))
        let started = ContinuousClock.now
        let context = WorkflowRunContext(
            workspaceID: run.workspaceID, endUser: run.endUser, inputs: run.inputs,
            services: services, now: now, streamedSelectors: prepared.workflow.streamedSelectors, history: prepared.history, emit: onEvent
        )
        let pool = VariablePool(
            system: [
                "user_id": .string(run.endUser), "app_id": .string(run.appID.description), "workflow_id": .string(run.workflowID),
                "workflow_run_id": .string(run.id.description), "files": [],
            ].merging(prepared.system) { _, chatflow in chatflow },
            environment: prepared.workflow.environment, conversation: prepared.workflow.conversationDefaults
        )
        let graph = prepared.workflow.graph
        let stopped = Mutex(false)
        let execution = Task { try await WorkflowEngine.run(graph, pool: pool, context: context) }
        tasks.register(run.taskID) {
            stopped.withLock { $0 = true }
            execution.cancel()
        }
        let outcome = await withTaskCancellationHandler {
            await execution.result
        } onCancel: {
            stopped.withLock { $0 = true }
            execution.cancel()
        }
        tasks.remove(run.taskID)

        switch outcome {
        case .success(let result):
            run.status = .succeeded
            // A chatflow's outputs are its answer.
            run.outputs = result.answers.isEmpty ? result.endOutputs : ["answer": .string(result.answers.joined())]
        case .failure(let error):
            if stopped.withLock({ $0 }) || error is CancellationError {
                run.status = .stopped
                run.error = "The run was stopped"
            } else {
                run.status = .failed
                run.error = WorkflowEngine.NodeFailure.message(of: error)
            }
        }
        run.elapsedTime = (ContinuousClock.now - started).seconds
        run.usage = context.usage
        run.totalTokens = context.usage.total
        run.totalSteps = context.totalSteps
        run.finishedAt = now()
        // Stored even when the caller was cancelled: a new task does not inherit its cancellation.
        let (finished, nodes, store) = (run, context.nodeExecutions, self.store)
        if case .failure(let error) = await Task(operation: { try await store.finishRun(finished, nodes: nodes) }).result {
            logger.error(
                "The end of a workflow run could not be stored",
                metadata: ["run.id": "\(run.id)", "error": "\(RelayError.logDescription(of: error))"])
        }
        await onEvent(.workflowFinished(run))
        return run
    }

    public func run(_ id: WorkflowRunID, of app: App) async throws -> WorkflowRun {
        guard let run = try await store.run(id, of: app.id, in: app.workspaceID) else {
            throw RelayError.notFound("Workflow run not found")
        }
        return run
    }

    public func nodeExecutions(of run: WorkflowRun) async throws -> [WorkflowNodeExecution] {
        try await store.nodeExecutions(of: run.id, in: run.workspaceID)
    }

    public func runs(of app: App, status: WorkflowRun.Status?, page: Int, limit: Int) async throws -> Page<WorkflowRun> {
        try Paging.check(page: page, limit: limit, maxLimit: Self.maxLimit)
        return try await store.runs(of: app.id, in: app.workspaceID, status: status, page: page, limit: limit)
    }

    /// Stops an end user's running task, wherever it runs. A task that has ended is left as it is.
    public func stop(task taskID: String, of scope: EndUserScope) async throws {
        guard let run = try await store.run(task: taskID, of: scope.appID, in: scope.workspaceID), run.endUser == scope.endUser else {
            throw RelayError.notFound("No task \(taskID) of this user")
        }
        guard run.status == .running, !tasks.stop(taskID) else { return }
        try await store.requestStop(of: run.id, in: scope.workspaceID, at: now())
    }
}

/// Graphs compiled before, by content hash and mode: a version is checked once, not on every run.
private final class CompiledWorkflows: Sendable {
    private let cache = Mutex<[String: CompiledWorkflow]>([:])
    static let capacity = 256

    func get(_ hash: String, mode: AppMode) -> CompiledWorkflow? { cache.withLock { $0["\(mode.rawValue)/\(hash)"] } }

    func put(_ workflow: CompiledWorkflow, for hash: String, mode: AppMode) {
        cache.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll() }
            cache["\(mode.rawValue)/\(hash)"] = workflow
        }
    }
}
