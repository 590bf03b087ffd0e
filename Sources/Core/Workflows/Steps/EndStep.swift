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

/// `answer` (chatflow): the answer text, with its `{{#node.variable#}}` references filled in.
struct AnswerStep: WorkflowStep {
    let template: String

    init(_ configuration: inout NodeConfiguration) {
        template = configuration.string("answer") ?? ""
    }

    var outputs: [String: WorkflowValueType]? { ["answer": .string] }

    var reads: [(field: String, selector: [String])] { VariableReference.all(in: template).map { ("answer", $0.selector) } }

    func run(_ context: StepContext) async throws -> StepResult {
        StepResult(outputs: ["answer": .string(context.pool.render(template))])
    }
}
