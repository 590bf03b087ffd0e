import Foundation

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
