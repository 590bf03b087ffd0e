import Foundation
@preconcurrency import Stencil

/// `template-transform`: a Jinja-style template (Stencil's dialect) rendered with the node's variables.
struct TemplateTransformStep: WorkflowStep {
    /// The longest output a template may give.
    static let maxOutput = 400_000

    /// Parsed once: Stencil's nodes are not changed by rendering.
    private struct Parsed: @unchecked Sendable {
        let nodes: [any NodeType]
    }

    let variables: [(name: String, selector: [String])]
    private let parsed: Parsed

    init(_ configuration: inout NodeConfiguration) {
        variables = configuration.namedSelectors("variables")
        let text = configuration.string("template", required: false) ?? ""
        if configuration["template"].string == nil { configuration.problem("template", "template is required") }
        do {
            let template = Template(templateString: text, environment: Self.environment)
            parsed = Parsed(nodes: try TokenParser(tokens: template.tokens, environment: Self.environment).parse())
        } catch {
            configuration.problem("template", "the template does not parse: \(error)")
            parsed = Parsed(nodes: [])
        }
    }

    private static let environment = Environment()

    var outputs: [String: WorkflowValueType]? { ["output": .string] }

    var reads: [(field: String, selector: [String])] { variables.map { ("variables.\($0.name)", $0.selector) } }

    func run(_ context: StepContext) async throws -> StepResult {
        var inputs: [String: JSONValue] = [:]
        var values: [String: Any] = [:]
        for (name, selector) in variables {
            let value = context.pool.value(selector) ?? .null
            inputs[name] = value
            values[name] = value.templateValue
        }
        let output: String
        do {
            output = try renderNodes(parsed.nodes, Context(dictionary: values, environment: Self.environment))
        } catch {
            throw RelayError(.workflowNodeFailed, "The template failed: \(error)")
        }
        guard output.count <= Self.maxOutput else {
            throw RelayError(.workflowNodeFailed, "The template's output is longer than \(Self.maxOutput) characters")
        }
        return StepResult(inputs: inputs, outputs: ["output": .string(output)])
    }
}

extension JSONValue {
    /// The value as a template sees it: strings, whole numbers as `Int`, others as `Double`, lists and dictionaries.
    var templateValue: Any {
        switch self {
        case .null: return Optional<Any>.none as Any
        case .bool(let value): return value
        case .string(let value): return value
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { return Int(value) }
            return value
        case .array(let items): return items.map(\.templateValue)
        case .object(let members): return members.mapValues(\.templateValue)
        }
    }
}
