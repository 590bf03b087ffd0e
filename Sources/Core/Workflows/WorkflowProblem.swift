/// One thing wrong with a workflow graph, where it is: a node (by id) and the field of its configuration.
public struct WorkflowProblem: Sendable, Equatable {
    public let node: String?
    public let field: String
    public let message: String

    public init(node: String?, field: String, _ message: String) {
        self.node = node
        self.field = field
        self.message = message
    }
}

extension RelayError {
    /// `invalid_param` listing every problem of a graph (`details.problems[{node_id, field, message}]`), not only the first.
    static func invalidWorkflow(_ problems: [WorkflowProblem]) -> RelayError {
        let first = problems[0]
        let location = first.node.map { "node \($0): " } ?? ""
        return RelayError(
            .invalidParam,
            "The workflow is not valid: \(location)\(first.message)" + (problems.count > 1 ? " (and \(problems.count - 1) more problems)" : ""),
            details: [
                "field": "graph", "type": "invalid",
                "problems": .array(
                    problems.map { problem in
                        [
                            "node_id": problem.node.map(JSONValue.string) ?? .null, "field": .string(problem.field),
                            "message": .string(problem.message),
                        ]
                    }
                ),
            ]
        )
    }
}
