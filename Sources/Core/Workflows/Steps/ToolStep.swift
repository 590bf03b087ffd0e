/// `tool`: an installed plugin's tool, its parameters from constants, variables or text with references.
struct ToolStep: WorkflowStep {
    enum Parameter: Sendable {
        case constant(JSONValue)
        case variable([String])
        case text(String)
    }

    let providerID: String
    let toolName: String
    let parameters: [(name: String, value: Parameter)]
    let configurations: [String: JSONValue]

    init(_ configuration: inout NodeConfiguration) {
        providerID = configuration.string("provider_id") ?? ""
        toolName = configuration.string("tool_name") ?? ""
        var parameters: [(String, Parameter)] = []
        for (name, item) in (configuration["tool_parameters"].object ?? [:]).sorted(by: { $0.key < $1.key }) {
            switch item["type"].string {
            case "variable":
                if let selector = configuration.selector(item["value"], field: "tool_parameters.\(name).value") {
                    parameters.append((name, .variable(selector)))
                }
            case "mixed":
                parameters.append((name, .text(item["value"].string ?? "")))
            default:
                parameters.append((name, .constant(item["value"])))
            }
        }
        self.parameters = parameters
        configurations = configuration["tool_configurations"].object ?? [:]
    }

    var callsOut: Bool { true }

    var outputs: [String: WorkflowValueType]? { ["text": .string, "files": .arrayOfAny, "json": .arrayOfAny] }

    var reads: [(field: String, selector: [String])] {
        parameters.flatMap { name, value -> [(String, [String])] in
            switch value {
            case .variable(let selector): [("tool_parameters.\(name)", selector)]
            case .text(let text): VariableReference.all(in: text).map { ("tool_parameters.\(name)", $0.selector) }
            case .constant: []
            }
        }
    }

    func run(_ context: StepContext) async throws -> StepResult {
        guard let toolbox = context.run.services.toolbox else {
            throw RelayError(.workflowNodeFailed, "This server runs no tools")
        }
        var arguments: [String: JSONValue] = [:]
        for (name, value) in parameters {
            switch value {
            case .constant(let constant): arguments[name] = constant
            case .variable(let selector): arguments[name] = context.pool.value(selector) ?? .null
            case .text(let text): arguments[name] = .string(context.pool.render(text))
            }
        }
        let reference = AgentToolReference(providerID: providerID, toolName: toolName, fixedParameters: configurations)
        let tool = try await toolbox.tool(reference, in: context.run.workspaceID)
        let text = try await toolbox.invoke(tool, arguments: arguments, user: context.run.endUser, in: context.run.workspaceID)
        return StepResult(inputs: arguments, outputs: ["text": .string(text), "files": [], "json": []])
    }
}
