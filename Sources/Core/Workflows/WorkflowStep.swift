import Foundation
import Synchronization

/// A node's work, read from its configuration once when the graph is compiled, run once per time the node runs.
protocol WorkflowStep: Sendable {
    /// The values the node gives later nodes, with their types; `nil` when it cannot tell before it runs.
    var outputs: [String: WorkflowValueType]? { get }
    /// The variables the node reads, each with the configuration field that names it.
    var reads: [(field: String, selector: [String])] { get }
    /// What is wrong with the types of what it reads, given each read's declared type (`nil` when unknown), as
    /// (field, message).
    func typeProblems(_ type: ([String]) -> WorkflowValueType?) -> [(field: String, message: String)]
    /// Whether it waits on something outside the run (a model, a server, a tool), so that a deadline bounds it.
    var callsOut: Bool { get }
    func run(_ context: StepContext) async throws -> StepResult
}

extension WorkflowStep {
    var reads: [(field: String, selector: [String])] { [] }
    var callsOut: Bool { false }
    func typeProblems(_ type: ([String]) -> WorkflowValueType?) -> [(field: String, message: String)] { [] }
}

/// What a step sees while it runs: its node, every value upstream of it, and the run it belongs to.
struct StepContext: Sendable {
    let node: WorkflowGraph.Node
    let pool: VariablePool
    let run: WorkflowRunContext
    /// The iteration it runs in, and the item's index, when it is inside one.
    let iteration: (id: String, index: Int)?
}

/// What one run of a node gave.
struct StepResult: Sendable {
    var inputs: [String: JSONValue] = [:]
    var outputs: [String: JSONValue] = [:]
    /// The source handles whose edges are taken; `source` for every node that does not branch.
    var handles: [String] = ["source"]
    /// Tokens its model calls used.
    var usage: TokenCounts?
}

/// The run every step of one workflow run shares: who runs it, what it may call, and where events go.
final class WorkflowRunContext: Sendable {
    let workspaceID: WorkspaceID
    let endUser: String
    /// The run's inputs, as the start node gives them.
    let inputs: [String: JSONValue]
    let services: WorkflowServices
    let now: @Sendable () -> Date
    /// Selectors of LLM outputs that an end or answer node gives as they are: their pieces stream as they come.
    let streamedSelectors: Set<[String]>
    /// A chatflow's earlier exchanges in its conversation, oldest first: what LLM nodes with memory remember.
    let history: [(query: String, answer: String)]
    let emit: @Sendable (WorkflowEvent) async -> Void
    private let counters = Mutex<(steps: Int, usage: TokenCounts)>((0, TokenCounts(prompt: 0, completion: 0)))
    private let executions = Mutex<[WorkflowNodeExecution]>([])

    init(
        workspaceID: WorkspaceID, endUser: String, inputs: [String: JSONValue], services: WorkflowServices,
        now: @escaping @Sendable () -> Date, streamedSelectors: Set<[String]>, history: [(query: String, answer: String)] = [],
        emit: @escaping @Sendable (WorkflowEvent) async -> Void
    ) {
        self.workspaceID = workspaceID
        self.endUser = endUser
        self.inputs = inputs
        self.services = services
        self.now = now
        self.streamedSelectors = streamedSelectors
        self.history = history
        self.emit = emit
    }

    /// The next node's 1-based index in the run.
    func nextIndex() -> Int {
        counters.withLock {
            $0.steps += 1
            return $0.steps
        }
    }

    func add(_ usage: TokenCounts) {
        counters.withLock {
            $0.usage.prompt += usage.prompt
            $0.usage.completion += usage.completion
        }
    }

    var totalSteps: Int { counters.withLock { $0.steps } }
    var usage: TokenCounts { counters.withLock { $0.usage } }

    func record(_ execution: WorkflowNodeExecution) { executions.withLock { $0.append(execution) } }

    var nodeExecutions: [WorkflowNodeExecution] { executions.withLock { $0 } }
}
