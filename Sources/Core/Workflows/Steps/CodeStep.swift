/// `code`: Python 3 in Dify's convention (`def main(<variables>) -> dict`), run by the code sandbox, never in the
/// server; each declared output must come back with its type.
struct CodeStep: WorkflowStep {
    /// How long one run of the code may take.
    static let timeout: Duration = .seconds(15)

    let variables: [(name: String, selector: [String])]
    let code: String
    let declared: [String: WorkflowValueType]

    init(_ configuration: inout NodeConfiguration) {
        variables = configuration.namedSelectors("variables")
        code = configuration.string("code") ?? ""
        let language = configuration["code_language"].string ?? "python3"
        if language != "python3" {
            configuration.problem("code_language", "only python3 code runs here, not \(language)")
        }
        var declared: [String: WorkflowValueType] = [:]
        for (name, output) in configuration["outputs"].object ?? [:] {
            guard NodeConfiguration.isIdentifier(name) else {
                configuration.problem("outputs.\(name)", "an output needs a name of letters, digits and underscores")
                continue
            }
            guard let type = WorkflowValueType(output["type"].string ?? "") else {
                configuration.problem("outputs.\(name).type", "unknown type '\(output["type"].string ?? "")'")
                continue
            }
            declared[name] = type
        }
        if configuration["outputs"].object == nil { configuration.problem("outputs", "outputs must name what the code returns") }
        self.declared = declared
    }

    var callsOut: Bool { true }

    var outputs: [String: WorkflowValueType]? { declared }

    var reads: [(field: String, selector: [String])] { variables.map { ("variables.\($0.name)", $0.selector) } }

    func run(_ context: StepContext) async throws -> StepResult {
        guard let sandbox = context.run.services.code else {
            throw RelayError(.workflowNodeFailed, "This server runs no code: it was started without a code sandbox")
        }
        var inputs: [String: JSONValue] = [:]
        for (name, selector) in variables { inputs[name] = context.pool.value(selector) ?? .null }
        let result = try await sandbox.runPython(code, inputs: inputs, timeout: Self.timeout)
        guard case .object(let returned) = result else {
            throw RelayError(.workflowNodeFailed, "main() must return a dict, not \(result.text.prefix(100))")
        }
        var outputs: [String: JSONValue] = [:]
        for (name, type) in declared.sorted(by: { $0.key < $1.key }) {
            guard let value = returned[name] else { throw RelayError(.workflowNodeFailed, "Output \(name) is missing from main()'s result") }
            guard value.isNull || type.accepts(value) else {
                throw RelayError(.workflowNodeFailed, "Output \(name) must be of type \(type), not \(WorkflowValueType.of(value))")
            }
            outputs[name] = value
        }
        return StepResult(inputs: inputs, outputs: outputs)
    }
}
