/// A workflow's graph as Dify stores it: nodes (with `data.type` and the node's configuration) and edges between
/// their handles. Nodes inside an iteration name it in `parentId`. Positions and editor-only fields are kept in the
/// stored JSON but not read.
public struct WorkflowGraph: Sendable {
    public struct Node: Sendable {
        public let id: String
        /// The iteration this node belongs to, if any.
        public let parentID: String?
        public let type: String
        public let title: String
        /// The node's whole `data` object: its configuration.
        public let data: JSONValue
    }

    public struct Edge: Sendable {
        public let id: String
        public let source: String
        /// `source` for most nodes; an `if-else` case id or `false`; `success-branch` or `fail-branch`.
        public let sourceHandle: String
        public let target: String
    }

    public let nodes: [Node]
    public let edges: [Edge]

    /// Reads `graph`, adding a problem for each node or edge that is not shaped as one (and leaving it out).
    static func read(_ graph: JSONValue, problems: inout [WorkflowProblem]) -> WorkflowGraph {
        guard graph.object != nil else {
            problems.append(WorkflowProblem(node: nil, field: "graph", "graph must be an object with nodes and edges"))
            return WorkflowGraph(nodes: [], edges: [])
        }
        var nodes: [Node] = []
        var seen: Set<String> = []
        if case .array(let list) = graph["nodes"] {
            for (index, item) in list.enumerated() {
                guard let id = item["id"].string, !id.isEmpty else {
                    problems.append(WorkflowProblem(node: nil, field: "graph.nodes[\(index)].id", "every node needs a non-empty string id"))
                    continue
                }
                guard seen.insert(id).inserted else {
                    problems.append(WorkflowProblem(node: id, field: "id", "two nodes have the id \(id)"))
                    continue
                }
                guard let type = item["data"]["type"].string, !type.isEmpty else {
                    problems.append(WorkflowProblem(node: id, field: "data.type", "the node has no type"))
                    continue
                }
                let parent = item["parentId"].string ?? item["data"]["iteration_id"].string
                nodes.append(
                    Node(
                        id: id, parentID: parent?.isEmpty == false ? parent : nil, type: type, title: item["data"]["title"].string ?? id,
                        data: item["data"]))
            }
        } else {
            problems.append(WorkflowProblem(node: nil, field: "graph.nodes", "graph.nodes must be an array of nodes"))
        }
        var edges: [Edge] = []
        if case .array(let list) = graph["edges"] {
            for (index, item) in list.enumerated() {
                guard let source = item["source"].string, let target = item["target"].string else {
                    problems.append(WorkflowProblem(node: nil, field: "graph.edges[\(index)]", "every edge needs a source and a target node id"))
                    continue
                }
                let handle = item["sourceHandle"].string ?? "source"
                edges.append(Edge(id: item["id"].string ?? "\(source)-\(handle)-\(target)", source: source, sourceHandle: handle, target: target))
            }
        } else if !graph["edges"].isNull {
            problems.append(WorkflowProblem(node: nil, field: "graph.edges", "graph.edges must be an array of edges"))
        }
        return WorkflowGraph(nodes: nodes, edges: edges)
    }
}
