import Foundation

/// Runs a compiled graph as a DAG: a node starts once every edge into it is decided and at least one was taken;
/// nodes whose inputs are ready run at once, each in a task of its own; a branch not taken is skipped, and so is every
/// node that only it leads to. A node that fails ends the run (cancelling the others) unless its error strategy carries
/// on.
enum WorkflowEngine {
    /// What one level's run leaves: every value, and the outputs of the end nodes that ran.
    struct LevelResult: Sendable {
        var pool: VariablePool
        var endOutputs: [String: JSONValue] = [:]
        var answers: [String] = []
    }

    /// Why a run failed: the node, and what went wrong there.
    struct NodeFailure: Error {
        let nodeID: String
        let error: any Error

        /// What went wrong, for people: the innermost failure's message (a node inside an iteration, say).
        static func message(of error: any Error) -> String {
            switch error {
            case let failure as NodeFailure: message(of: failure.error)
            case let error as RelayError: error.message
            default: "\(error)"
            }
        }

        /// The innermost failure's code name, for a node's `error_type`.
        static func type(of error: any Error) -> String {
            switch error {
            case let failure as NodeFailure: type(of: failure.error)
            case let error as RelayError: error.code.name
            default: "error"
            }
        }
    }

    private enum EdgeState { case pending, taken, skipped }

    static func run(
        _ graph: CompiledGraph, pool: VariablePool, context: WorkflowRunContext, iteration: (id: String, index: Int)? = nil
    ) async throws -> LevelResult {
        var result = LevelResult(pool: pool)
        var edgeStates = [EdgeState](repeating: .pending, count: graph.edges.count)
        var undecided = graph.incoming.mapValues(\.count)

        try await withThrowingTaskGroup(of: (String, StepResult).self) { group in
            func launch(_ id: String, predecessor: String?) {
                guard let entry = graph.nodes[id] else { return }
                let snapshot = result.pool
                group.addTask {
                    (id, try await execute(entry, pool: snapshot, context: context, iteration: iteration, predecessor: predecessor))
                }
            }
            /// Decides the edges leaving `id`; launches the targets that became ready and skips those that cannot run.
            func decide(_ id: String, taken handles: [String]?) {
                var pending = [(id, handles)]
                while let (node, handles) = pending.popLast() {
                    for index in graph.outgoing[node] ?? [] {
                        let edge = graph.edges[index]
                        edgeStates[index] = handles?.contains(edge.sourceHandle) == true ? .taken : .skipped
                        undecided[edge.target, default: 0] -= 1
                        guard undecided[edge.target] == 0 else { continue }
                        let incoming = graph.incoming[edge.target] ?? []
                        if let taken = incoming.first(where: { edgeStates[$0] == .taken }) {
                            launch(edge.target, predecessor: graph.edges[taken].source)
                        } else {
                            pending.append((edge.target, nil))
                        }
                    }
                }
            }

            launch(graph.entry, predecessor: nil)
            while let (id, step) = try await group.next() {
                result.pool.set(step.outputs, of: id)
                if let entry = graph.nodes[id] {
                    if entry.node.type == "end" { result.endOutputs.merge(step.outputs) { _, new in new } }
                    if entry.node.type == "answer", let answer = step.outputs["answer"]?.string { result.answers.append(answer) }
                }
                decide(id, taken: step.handles)
            }
        }
        return result
    }

    /// Runs one node: its events and record, retries, and its error strategy.
    private static func execute(
        _ entry: CompiledGraph.Entry, pool: VariablePool, context: WorkflowRunContext, iteration: (id: String, index: Int)?,
        predecessor: String?
    ) async throws -> StepResult {
        let node = entry.node
        let started = ContinuousClock.now
        var execution = WorkflowNodeExecution(
            id: Identifier<WorkflowNodeExecution>().description, nodeID: node.id, nodeType: node.type, title: node.title, index: context.nextIndex(),
            predecessorNodeID: predecessor, iterationID: iteration?.id, iterationIndex: iteration?.index, inputs: nil, outputs: nil,
            status: .running, error: nil, elapsedTime: 0, tokens: 0, createdAt: context.now(), finishedAt: nil
        )
        await context.emit(.nodeStarted(execution))
        let stepContext = StepContext(node: node, pool: pool, run: context, iteration: iteration)
        var attempt = 0
        while true {
            do {
                var result: StepResult
                if let limit = entry.policy.timeout ?? (entry.step.callsOut ? context.services.nodeTimeout : nil) {
                    result = try await withDeadline(limit) { try await entry.step.run(stepContext) }
                } else {
                    result = try await entry.step.run(stepContext)
                }
                // A stopped step may end quietly with what it had (a model's stream ends when cancelled).
                try Task.checkCancellation()
                if entry.policy.takesFailBranch, result.handles == ["source"] { result.handles = ["source", "success-branch"] }
                execution.status = .succeeded
                execution.inputs = result.inputs
                execution.outputs = result.outputs
                if let usage = result.usage {
                    execution.tokens = usage.total
                    context.add(usage)
                }
                await finish(&execution, started: started, context: context)
                return result
            } catch {
                if error is CancellationError || Task.isCancelled {
                    execution.status = .failed
                    execution.error = "The run was stopped"
                    await finish(&execution, started: started, context: context)
                    throw CancellationError()
                }
                if attempt < entry.policy.retries {
                    attempt += 1
                    try await Task.sleep(for: entry.policy.wait(beforeRetry: attempt))
                    continue
                }
                let message = NodeFailure.message(of: error)
                execution.error = message
                switch entry.policy.strategy {
                case .failRun:
                    execution.status = .failed
                    await finish(&execution, started: started, context: context)
                    throw NodeFailure(nodeID: node.id, error: error)
                case .defaultValue(let defaults):
                    var outputs = defaults
                    outputs["error_message"] = .string(message)
                    outputs["error_type"] = .string(NodeFailure.type(of: error))
                    execution.status = .exception
                    execution.outputs = outputs
                    await finish(&execution, started: started, context: context)
                    return StepResult(outputs: outputs)
                case .failBranch:
                    let outputs: [String: JSONValue] = [
                        "error_message": .string(message), "error_type": .string(NodeFailure.type(of: error)),
                    ]
                    execution.status = .exception
                    execution.outputs = outputs
                    await finish(&execution, started: started, context: context)
                    return StepResult(outputs: outputs, handles: ["fail-branch"])
                }
            }
        }
    }

    private static func finish(_ execution: inout WorkflowNodeExecution, started: ContinuousClock.Instant, context: WorkflowRunContext) async {
        execution.elapsedTime = (ContinuousClock.now - started).seconds
        execution.finishedAt = context.now()
        context.record(execution)
        await context.emit(.nodeFinished(execution))
    }

    /// `body`'s result, or a node failure once `limit` has passed (`body` is cancelled then).
    private static func withDeadline(_ limit: Duration, _ body: @escaping @Sendable () async throws -> StepResult) async throws -> StepResult {
        try await withThrowingTaskGroup(of: StepResult?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw RelayError(.workflowNodeFailed, "The node did not finish within \(limit.seconds.formatted()) s")
            }
            return result
        }
    }
}
