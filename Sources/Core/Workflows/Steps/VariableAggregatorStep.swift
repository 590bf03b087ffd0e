/// `variable-aggregator`: the first of its variables that has a value (the branch that ran); with groups, one such
/// value per group, under the group's name.
struct VariableAggregatorStep: WorkflowStep {
    struct Group: Sendable {
        let name: String
        let type: WorkflowValueType
        let selectors: [[String]]
    }

    /// One group named `output`'s owner when groups are off: its value is the node's `output`.
    let groups: [Group]
    let grouped: Bool

    init(_ configuration: inout NodeConfiguration) {
        grouped = configuration["advanced_settings"]["group_enabled"].bool ?? false
        if grouped {
            var groups: [Group] = []
            for (index, group) in configuration["advanced_settings"]["groups"].array.enumerated() {
                let path = "advanced_settings.groups[\(index)]"
                guard let name = group["group_name"].string, NodeConfiguration.isIdentifier(name) else {
                    configuration.problem("\(path).group_name", "every group needs a name of letters, digits and underscores")
                    continue
                }
                guard !groups.contains(where: { $0.name == name }) else {
                    configuration.problem("\(path).group_name", "two groups are named \(name)")
                    continue
                }
                let selectors = group["variables"].array.enumerated().compactMap { position, selector in
                    configuration.selector(selector, field: "\(path).variables[\(position)]")
                }
                groups.append(Group(name: name, type: WorkflowValueType(group["output_type"].string ?? "any") ?? .any, selectors: selectors))
            }
            if groups.isEmpty { configuration.problem("advanced_settings.groups", "groups are enabled but none is defined") }
            self.groups = groups
        } else {
            let selectors = configuration["variables"].array.enumerated().compactMap { index, selector in
                configuration.selector(selector, field: "variables[\(index)]")
            }
            if selectors.isEmpty { configuration.problem("variables", "a variable aggregator needs at least one variable") }
            groups = [Group(name: "output", type: WorkflowValueType(configuration["output_type"].string ?? "any") ?? .any, selectors: selectors)]
        }
    }

    var outputs: [String: WorkflowValueType]? {
        grouped ? Dictionary(groups.map { ($0.name, WorkflowValueType.object) }) { first, _ in first } : ["output": groups[0].type]
    }

    var reads: [(field: String, selector: [String])] {
        groups.flatMap { group in group.selectors.map { ("variables.\(group.name)", $0) } }
    }

    /// Each group's variables must be of its type: the aggregator gives whichever ran, as that type.
    func typeProblems(_ type: ([String]) -> WorkflowValueType?) -> [(field: String, message: String)] {
        groups.flatMap { group in
            group.selectors.compactMap { selector -> (String, String)? in
                guard let actual = type(selector), !group.type.admits(actual) else { return nil }
                return ("variables.\(group.name)", "\(selector.joined(separator: ".")) is of type \(actual), not \(group.type) like the group")
            }
        }
    }

    func run(_ context: StepContext) async throws -> StepResult {
        func first(of group: Group) -> JSONValue {
            group.selectors.lazy.compactMap { context.pool.value($0) }.first { !$0.isNull } ?? .null
        }
        if grouped {
            return StepResult(outputs: Dictionary(groups.map { ($0.name, ["output": first(of: $0)]) }) { first, _ in first })
        }
        return StepResult(outputs: ["output": first(of: groups[0])])
    }
}
