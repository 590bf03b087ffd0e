import Foundation

/// `start`: the run's inputs, checked against the node's variables, become its outputs.
struct StartStep: WorkflowStep {
    let fields: [UserInputField]

    init(_ configuration: inout NodeConfiguration) {
        var fields: [UserInputField] = []
        for (index, item) in configuration["variables"].array.enumerated() {
            let path = "variables[\(index)]"
            guard let name = item["variable"].string, NodeConfiguration.isIdentifier(name) else {
                configuration.problem("\(path).variable", "variable must be a name of letters, digits and underscores")
                continue
            }
            guard let kind = UserInputField.Kind(rawValue: item["type"].string ?? "") else {
                let known = UserInputField.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                configuration.problem("\(path).type", "the type of \(name) must be one of \(known), not '\(item["type"].string ?? "")'")
                continue
            }
            guard !fields.contains(where: { $0.variable == name }) else {
                configuration.problem("\(path).variable", "two variables are named \(name)")
                continue
            }
            let field = UserInputField(
                kind: kind, variable: name, label: item["label"].string ?? name, isRequired: item["required"].bool ?? false,
                maxLength: item["max_length"].int, options: item["options"].array.compactMap(\.string),
                defaultValue: item["default"].isNull ? nil : item["default"]
            )
            for (field, message) in field.problems(at: index) {
                configuration.problem(field.replacingOccurrences(of: "user_input_form", with: "variables"), message)
            }
            fields.append(field)
        }
        self.fields = fields
    }

    var outputs: [String: WorkflowValueType]? {
        Dictionary(
            uniqueKeysWithValues: fields.map { field in
                let type: WorkflowValueType =
                    switch field.kind {
                    case .textInput, .paragraph, .select: .string
                    case .number: .number
                    case .checkbox: .boolean
                    }
                return (field.variable, type)
            }
        )
    }

    func run(_ context: StepContext) async throws -> StepResult {
        let inputs = context.run.inputs
        return StepResult(inputs: inputs, outputs: inputs)
    }
}

extension UserInputField {
    init(kind: Kind, variable: String, label: String, isRequired: Bool, maxLength: Int?, options: [String], defaultValue: JSONValue?) {
        self.kind = kind
        self.variable = variable
        self.label = label
        self.isRequired = isRequired
        self.maxLength = maxLength
        self.options = options
        self.defaultValue = defaultValue
    }
}
