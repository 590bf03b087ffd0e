/// One level of a checked graph, ready to run: the top level, or the inside of an iteration. Each node's step was
/// read from its configuration once; edges are indexed by node both ways.
struct CompiledGraph: Sendable {
    struct Entry: Sendable {
        let node: WorkflowGraph.Node
        let step: any WorkflowStep
        let policy: NodePolicy
    }

    let nodes: [String: Entry]
    /// Where a run of this level starts: the `start` node, or an iteration's `iteration-start`.
    let entry: String
    let edges: [WorkflowGraph.Edge]
    let incoming: [String: [Int]]
    let outgoing: [String: [Int]]

    init(nodes: [String: Entry], entry: String, edges: [WorkflowGraph.Edge]) {
        self.nodes = nodes
        self.entry = entry
        self.edges = edges
        var incoming: [String: [Int]] = [:]
        var outgoing: [String: [Int]] = [:]
        for (index, edge) in edges.enumerated() {
            incoming[edge.target, default: []].append(index)
            outgoing[edge.source, default: []].append(index)
        }
        self.incoming = incoming
        self.outgoing = outgoing
    }
}

/// A workflow graph checked against every rule and compiled; what the engine runs.
public struct CompiledWorkflow: Sendable {
    let graph: CompiledGraph
    /// The start node's variables: the run's input form.
    public let inputForm: [UserInputField]
    /// LLM outputs an end node returns as they are: streamed as `text_chunk`.
    let streamedSelectors: Set<[String]>
    /// The values of its environment variables, and its conversation variables' defaults.
    var environment: [String: JSONValue] = [:]
    var conversationDefaults: [String: JSONValue] = [:]
}
