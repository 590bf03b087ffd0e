import Foundation

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

    /// The one LLM output the answer is made of, when it is nothing else: its pieces stream while the LLM runs.
    var soleReference: [String]? {
        let references = VariableReference.all(in: template)
        guard references.count == 1, references[0].selector.count == 2,
            template.trimmingCharacters(in: .whitespacesAndNewlines) == "{{#\(references[0].selector.joined(separator: "."))#}}"
        else { return nil }
        return references[0].selector
    }

    func run(_ context: StepContext) async throws -> StepResult {
        let answer = context.pool.render(template)
        if let sole = soleReference, context.run.streamedSelectors.contains(sole) {
            // Already streamed, piece by piece.
        } else if !answer.isEmpty {
            await context.run.emit(.textChunk(answer, selector: [context.node.id, "answer"]))
        }
        return StepResult(outputs: ["answer": .string(answer)])
    }
}
