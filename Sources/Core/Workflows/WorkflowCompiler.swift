/// Checks a graph against the rules, listing every problem with its node and field, and compiles it for the engine:
/// exactly one `start`; an `end` (workflow) or `answer` (chatflow) reachable from it; no cycles (iterations nest
/// instead); every edge between existing nodes of one level, from a handle its source has; every variable read from a
/// node upstream of its reader (or the iteration around it) that gives a value of that name; each node's configuration
/// complete.
enum WorkflowCompiler {
    static let systemVariables: Set<String> = [
        "query", "user_id", "files", "conversation_id", "app_id", "workflow_id", "workflow_run_id", "dialogue_count",
    ]

    /// Bounds on what one graph may hold, so that checking and running it stay cheap whatever a client sends.
    static let maxNodes = 1_000
    static let maxEdges = 5_000
    /// Iterations inside iterations, at most this deep.
    static let maxNesting = 3

    /// Node types Dify has that this engine does not run yet: refused by name rather than as unknown.
    static let unsupported: Set<String> = [
        "question-classifier", "parameter-extractor", "document-extractor", "list-operator", "loop",
        "loop-start", "agent", "assigner", "variable-assigner",
    ]

    static func compile(
        _ json: JSONValue, mode: AppMode, environment: Set<String> = [], conversation: Set<String> = []
    )
        -> Result<CompiledWorkflow, RelayError>
    {
        var problems: [WorkflowProblem] = []
        let graph = WorkflowGraph.read(json, problems: &problems)
        guard graph.nodes.count <= maxNodes, graph.edges.count <= maxEdges else {
            return .failure(
                .invalidWorkflow([WorkflowProblem(node: nil, field: "graph", "a workflow may have at most \(maxNodes) nodes and \(maxEdges) edges")])
            )
        }
        let parents = Dictionary(graph.nodes.map { ($0.id, $0.parentID) }) { first, _ in first }
        for node in graph.nodes {
            var depth = 0
            var parent = node.parentID
            while let id = parent, depth <= maxNesting {
                depth += 1
                parent = parents[id] ?? nil
            }
            if depth > maxNesting {
                return .failure(
                    .invalidWorkflow([
                        WorkflowProblem(
                            node: node.id, field: "parentId", "iterations nest at most \(maxNesting) deep (or their parentIds form a loop)")
                    ])
                )
            }
        }
        var compiler = Compilation(graph: graph, mode: mode, environment: environment, conversation: conversation)
        compiler.problems = problems
        let top = compiler.compileLevel(nil)
        compiler.checkEnds(top)
        guard compiler.problems.isEmpty, let top else {
            if compiler.problems.isEmpty { compiler.problems.append(WorkflowProblem(node: nil, field: "graph", "the graph has no start node")) }
            return .failure(.invalidWorkflow(compiler.problems))
        }
        let start = top.nodes[top.entry]?.step as? StartStep
        var streamed: Set<[String]> = []
        func isLLMText(_ selector: [String]) -> Bool {
            selector.count == 2 && selector[1] == "text" && top.nodes[selector[0]]?.node.type == "llm"
        }
        for entry in top.nodes.values {
            if let end = entry.step as? EndStep {
                streamed.formUnion(end.outputsRead.map(\.selector).filter(isLLMText))
            } else if let answer = entry.step as? AnswerStep, let sole = answer.soleReference, isLLMText(sole) {
                streamed.insert(sole)
            }
        }
        return .success(CompiledWorkflow(graph: top, inputForm: start?.fields ?? [], streamedSelectors: streamed))
    }
}

/// The state of one compilation: the graph, what has been found wrong, and the levels compiled so far.
private struct Compilation {
    let graph: WorkflowGraph
    let mode: AppMode
    let environment: Set<String>
    let conversation: Set<String>
    var problems: [WorkflowProblem] = []
    let byID: [String: WorkflowGraph.Node]
    /// Each compiled level's upstream sets, by node: what a node may read.
    var upstream: [String: Set<String>] = [:]
    var steps: [String: any WorkflowStep] = [:]
    /// What each node gives later nodes: its step's outputs, and the error's when its error strategy carries on.
    var outputs: [String: [String: WorkflowValueType]?] = [:]

    init(graph: WorkflowGraph, mode: AppMode, environment: Set<String>, conversation: Set<String>) {
        self.graph = graph
        self.mode = mode
        self.environment = environment
        self.conversation = conversation
        byID = Dictionary(graph.nodes.map { ($0.id, $0) }) { first, _ in first }
    }

    mutating func problem(_ node: String?, _ field: String, _ message: String) {
        problems.append(WorkflowProblem(node: node, field: field, message))
    }

    /// The nodes whose parent is `parent` (the top level for `nil`), compiled with the levels inside them.
    mutating func compileLevel(_ parent: String?) -> CompiledGraph? {
        let members = graph.nodes.filter { $0.parentID == parent }
        if parent == nil {
            for node in graph.nodes {
                if let parentID = node.parentID, byID[parentID]?.type != "iteration" {
                    problem(node.id, "parentId", "parentId names \(parentID), which is not an iteration node")
                }
            }
        }
        var entries: [String: CompiledGraph.Entry] = [:]
        for node in members {
            var configuration = NodeConfiguration(node)
            let policy = NodePolicy(&configuration)
            let step = makeStep(node, &configuration)
            problems += configuration.problems
            if let step { register(node, step: step, policy: policy, into: &entries) }
        }
        // The entry: the start node at the top; an iteration's iteration-start inside it.
        let entryType = parent == nil ? "start" : "iteration-start"
        let entryNodes = members.filter { $0.type == entryType }
        var entry: String?
        if let parent {
            let named = byID[parent]?.data["start_node_id"].string
            if let named, entryNodes.contains(where: { $0.id == named }) {
                entry = named
            } else {
                problem(parent, "start_node_id", "start_node_id must name the iteration-start node inside this iteration")
            }
        } else if entryNodes.count == 1 {
            entry = entryNodes[0].id
        } else {
            problem(
                nil, "graph.nodes",
                entryNodes.isEmpty ? "the workflow needs a start node" : "the workflow has \(entryNodes.count) start nodes; it needs exactly one")
        }
        for node in graph.nodes where node.type == "start" && node.parentID != nil && parent == nil {
            problem(node.id, "parentId", "a start node cannot be inside an iteration")
        }

        // Edges of this level.
        let memberIDs = Set(members.map(\.id))
        var edges: [WorkflowGraph.Edge] = []
        for edge in graph.edges where memberIDs.contains(edge.source) || memberIDs.contains(edge.target) {
            guard let source = byID[edge.source] else {
                problem(nil, "graph.edges.\(edge.id)", "edge \(edge.id) starts at \(edge.source), which is no node of the graph")
                continue
            }
            guard byID[edge.target] != nil else {
                problem(nil, "graph.edges.\(edge.id)", "edge \(edge.id) ends at \(edge.target), which is no node of the graph")
                continue
            }
            guard memberIDs.contains(edge.source), memberIDs.contains(edge.target) else {
                // Counted once, from the source's level.
                if memberIDs.contains(edge.source) {
                    problem(nil, "graph.edges.\(edge.id)", "edge \(edge.id) joins nodes inside and outside an iteration")
                }
                continue
            }
            let handles = self.handles(of: source, entry: entries[source.id])
            guard handles.contains(edge.sourceHandle) else {
                problem(
                    source.id, "graph.edges.\(edge.id).sourceHandle",
                    "edge \(edge.id) leaves from handle '\(edge.sourceHandle)', which \(source.type) node \(source.id) does not have (\(handles.sorted().joined(separator: ", ")))"
                )
                continue
            }
            if edge.target == entry { problem(edge.target, "graph.edges.\(edge.id)", "nothing may lead into the \(entryType) node") }
            edges.append(edge)
        }
        checkCycles(members: members, edges: edges)
        if let entry { checkConnected(members: members, edges: edges, from: entry) }
        computeUpstream(members: memberIDs, edges: edges, parent: parent)

        // The insides of this level's iterations, then the iterations themselves, which run them.
        for node in members where node.type == "iteration" {
            var configuration = NodeConfiguration(node)
            let body = compileLevel(node.id)
            let policy = NodePolicy(&configuration)
            let step = IterationStep(&configuration, body: body, steps: steps)
            problems += configuration.problems
            register(node, step: step, policy: policy, into: &entries)
        }
        for node in members { checkReads(of: node) }
        guard let entry else { return nil }
        return CompiledGraph(nodes: entries, entry: entry, edges: edges)
    }

    private mutating func register(
        _ node: WorkflowGraph.Node, step: any WorkflowStep, policy: NodePolicy, into entries: inout [String: CompiledGraph.Entry]
    ) {
        steps[node.id] = step
        var given = step.outputs
        if case .failRun = policy.strategy {} else { given?.merge(["error_message": .string, "error_type": .string]) { first, _ in first } }
        outputs[node.id] = given
        entries[node.id] = CompiledGraph.Entry(node: node, step: step, policy: policy)
    }

    private mutating func makeStep(_ node: WorkflowGraph.Node, _ configuration: inout NodeConfiguration) -> (any WorkflowStep)? {
        switch node.type {
        case "start": return StartStep(&configuration)
        case "end":
            if mode == .advancedChat { configuration.problem("type", "a chatflow ends with answer nodes, not end nodes") }
            return EndStep(&configuration)
        case "answer":
            if mode != .advancedChat {
                configuration.problem("type", "answer nodes belong to chatflows (advanced-chat apps); a workflow ends with end nodes")
            }
            return AnswerStep(&configuration)
        case "llm": return LLMStep(&configuration)
        case "if-else": return IfElseStep(&configuration)
        case "template-transform": return TemplateTransformStep(&configuration)
        case "code": return CodeStep(&configuration)
        case "variable-aggregator":
            return VariableAggregatorStep(&configuration)
        case "http-request": return HTTPRequestStep(&configuration)
        case "tool": return ToolStep(&configuration)
        case "knowledge-retrieval": return KnowledgeRetrievalStep(&configuration)
        case "iteration-start": return IterationStartStep()
        case "iteration": return nil  // compiled after its inside
        default:
            if WorkflowCompiler.unsupported.contains(node.type) {
                configuration.problem("type", "\(node.type) nodes are not supported by this server yet")
            } else {
                configuration.problem("type", "unknown node type '\(node.type)'")
            }
            return nil
        }
    }

    /// The handles edges may leave a node from.
    private func handles(of node: WorkflowGraph.Node, entry: CompiledGraph.Entry?) -> Set<String> {
        var handles: Set<String>
        switch node.type {
        case "end": handles = []
        case "if-else": handles = Set((entry?.step as? IfElseStep)?.handles ?? [])
        default: handles = ["source"]
        }
        if let entry, entry.policy.takesFailBranch { handles.formUnion(["success-branch", "fail-branch"]) }
        return handles
    }

    private mutating func checkCycles(members: [WorkflowGraph.Node], edges: [WorkflowGraph.Edge]) {
        var indegree = Dictionary(members.map { ($0.id, 0) }) { first, _ in first }
        for edge in edges { indegree[edge.target, default: 0] += 1 }
        var ready = indegree.filter { $0.value == 0 }.map(\.key)
        var outgoing: [String: [String]] = [:]
        for edge in edges { outgoing[edge.source, default: []].append(edge.target) }
        while let next = ready.popLast() {
            for target in outgoing[next] ?? [] {
                indegree[target]! -= 1
                if indegree[target] == 0 { ready.append(target) }
            }
            indegree[next] = nil
        }
        let cyclic = indegree.keys.sorted()
        if !cyclic.isEmpty {
            problem(
                cyclic[0], "graph.edges",
                "the edges form a cycle through \(cyclic.joined(separator: ", ")); repeat work with an iteration instead"
            )
        }
    }

    /// Every node of a level must be reachable from its entry: one that is not would never run, and would keep the
    /// nodes it leads to waiting for it.
    private mutating func checkConnected(members: [WorkflowGraph.Node], edges: [WorkflowGraph.Edge], from entry: String) {
        var outgoing: [String: [String]] = [:]
        for edge in edges { outgoing[edge.source, default: []].append(edge.target) }
        var seen: Set<String> = [entry]
        var stack = [entry]
        while let next = stack.popLast() {
            for target in outgoing[next] ?? [] where seen.insert(target).inserted { stack.append(target) }
        }
        for node in members where !seen.contains(node.id) {
            problem(node.id, "graph.edges", "\(node.type) node \(node.id) is not connected to the \(byID[entry]?.type ?? "start") node")
        }
    }

    /// For each node of a level: every node whose value it may read (upstream of it at this level, and whatever the
    /// iteration around it may read).
    private mutating func computeUpstream(members: Set<String>, edges: [WorkflowGraph.Edge], parent: String?) {
        var incoming: [String: [String]] = [:]
        for edge in edges { incoming[edge.target, default: []].append(edge.source) }
        let outer = parent.flatMap { upstream[$0] } ?? []
        for node in members {
            var seen: Set<String> = []
            var stack = incoming[node] ?? []
            while let next = stack.popLast() {
                guard seen.insert(next).inserted else { continue }
                stack += incoming[next] ?? []
            }
            upstream[node] = seen.union(outer)
        }
    }

    private mutating func checkReads(of node: WorkflowGraph.Node) {
        guard let step = steps[node.id] else { return }
        for (field, message) in step.typeProblems(type(of:)) { problem(node.id, field, message) }
        let visible = upstream[node.id] ?? []
        var enclosing: [String] = []
        var parent = node.parentID
        while let id = parent {
            enclosing.append(id)
            parent = byID[id]?.parentID
        }
        for (field, selector) in step.reads {
            let (owner, name) = (selector[0], selector[1])
            let path = selector.joined(separator: ".")
            switch owner {
            case "sys":
                if !WorkflowCompiler.systemVariables.contains(name) {
                    problem(node.id, field, "\(field) reads sys.\(name), which is no system variable")
                }
                if name == "query" || name == "conversation_id" || name == "dialogue_count", mode != .advancedChat {
                    problem(node.id, field, "\(field) reads sys.\(name), which only chatflows have")
                }
            case "env":
                if !environment.contains(name) {
                    problem(node.id, field, "\(field) reads env.\(name), which is no environment variable of this workflow")
                }
            case "conversation":
                if !conversation.contains(name) {
                    problem(node.id, field, "\(field) reads conversation.\(name), which is no conversation variable of this workflow")
                }
            default:
                if enclosing.contains(owner) {
                    if name != "item" && name != "index" {
                        problem(node.id, field, "\(field) reads \(path); inside an iteration only its item and index can be read")
                    }
                    continue
                }
                guard let source = byID[owner] else {
                    problem(node.id, field, "\(field) reads \(path), but there is no node \(owner)")
                    continue
                }
                guard visible.contains(owner) else {
                    problem(node.id, field, "\(field) reads \(path), but \(source.type) node \(owner) does not run before this node")
                    continue
                }
                if let outputs = self.outputs[owner] ?? nil, outputs[name] == nil {
                    problem(
                        node.id, field,
                        "\(field) reads \(path), but \(source.type) node \(owner) gives no '\(name)' (it gives \(outputs.keys.sorted().joined(separator: ", ")))"
                    )
                }
            }
        }
    }

    /// What a node's read of `selector` will be, when its source declares it.
    func type(of selector: [String]) -> WorkflowValueType? {
        guard selector.count == 2 else { return nil }
        return (outputs[selector[0]] ?? nil)?[selector[1]]
    }

    /// A workflow must be able to end: an end node (an answer node, for a chatflow) reachable from the start.
    mutating func checkEnds(_ top: CompiledGraph?) {
        guard let top else { return }
        let wanted = mode == .advancedChat ? "answer" : "end"
        var seen: Set<String> = [top.entry]
        var stack = [top.entry]
        while let next = stack.popLast() {
            for index in top.outgoing[next] ?? [] where seen.insert(top.edges[index].target).inserted {
                stack.append(top.edges[index].target)
            }
        }
        if !seen.contains(where: { top.nodes[$0]?.node.type == wanted }) {
            problem(nil, "graph.nodes", "no \(wanted) node can be reached from the start node")
        }
    }
}

/// `iteration-start`: where an iteration's inside begins; it does nothing itself.
struct IterationStartStep: WorkflowStep {
    var outputs: [String: WorkflowValueType]? { [:] }
    func run(_ context: StepContext) async throws -> StepResult { StepResult() }
}
