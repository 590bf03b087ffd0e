/// `end`: the workflow's outputs, each read from a variable (`null` for one whose node did not run).
struct EndStep: WorkflowStep {
    let outputsRead: [(name: String, selector: [String])]

    init(_ configuration: inout NodeConfiguration) {
        outputsRead = configuration.namedSelectors("outputs", anyName: true)
    }

    var outputs: [String: WorkflowValueType]? { Dictionary(outputsRead.map { ($0.name, WorkflowValueType.any) }) { first, _ in first } }

    var reads: [(field: String, selector: [String])] { outputsRead.map { ("outputs.\($0.name)", $0.selector) } }

    func run(_ context: StepContext) async throws -> StepResult {
        var outputs: [String: JSONValue] = [:]
        for (name, selector) in outputsRead { outputs[name] = context.pool.value(selector) ?? .null }
        return StepResult(inputs: outputs, outputs: outputs)
    }
}
