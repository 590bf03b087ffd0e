import Foundation

/// `if-else`: the first case whose conditions hold takes its handle (the case id); when none does, `false`.
struct IfElseStep: WorkflowStep {
    struct Condition: Sendable {
        let selector: [String]
        let comparison: Comparison
        /// The value compared against, with `{{#…#}}` references filled in when it runs.
        let value: JSONValue
    }

    struct Case: Sendable {
        let id: String
        let all: Bool
        let conditions: [Condition]
    }

    enum Comparison: String, Sendable, CaseIterable {
        case contains, notContains = "not contains", startWith = "start with", endWith = "end with", `is`, isNot = "is not"
        case empty, notEmpty = "not empty", `in`, notIn = "not in", allOf = "all of"
        case equal = "=", notEqual = "≠", greater = ">", less = "<", greaterOrEqual = "≥", lessOrEqual = "≤"
        case null, notNull = "not null", exists, notExists = "not exists"

        /// ASCII spellings some clients send.
        init?(spelling: String) {
            switch spelling {
            case "!=": self = .notEqual
            case ">=": self = .greaterOrEqual
            case "<=": self = .lessOrEqual
            case "==": self = .equal
            default: self.init(rawValue: spelling)
            }
        }
    }

    let cases: [Case]

    init(_ configuration: inout NodeConfiguration) {
        var cases: [Case] = []
        // Dify's older form: one list of conditions at the top, its case named `true`.
        let listed: [JSONValue] =
            configuration["cases"].array.isEmpty && !configuration["conditions"].array.isEmpty
            ? [["case_id": "true", "logical_operator": configuration["logical_operator"], "conditions": configuration["conditions"]]]
            : configuration["cases"].array
        if listed.isEmpty { configuration.problem("cases", "an if-else node needs at least one case") }
        for (index, item) in listed.enumerated() {
            let path = "cases[\(index)]"
            guard let id = item["case_id"].string ?? item["id"].string, !id.isEmpty, id != "false" else {
                configuration.problem("\(path).case_id", "every case needs an id other than 'false'")
                continue
            }
            guard !cases.contains(where: { $0.id == id }) else {
                configuration.problem("\(path).case_id", "two cases have the id \(id)")
                continue
            }
            let logical = item["logical_operator"].string ?? "and"
            guard logical == "and" || logical == "or" else {
                configuration.problem("\(path).logical_operator", "logical_operator must be and or or")
                continue
            }
            var conditions: [Condition] = []
            for (position, condition) in item["conditions"].array.enumerated() {
                let field = "\(path).conditions[\(position)]"
                guard let selector = configuration.selector(condition["variable_selector"], field: "\(field).variable_selector") else { continue }
                guard let comparison = Comparison(spelling: condition["comparison_operator"].string ?? "") else {
                    configuration.problem(
                        "\(field).comparison_operator",
                        "unknown comparison '\(condition["comparison_operator"].string ?? "")'; one of \(Comparison.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                    continue
                }
                conditions.append(Condition(selector: selector, comparison: comparison, value: condition["value"]))
            }
            if item["conditions"].array.isEmpty { configuration.problem("\(path).conditions", "a case needs at least one condition") }
            cases.append(Case(id: id, all: logical == "and", conditions: conditions))
        }
        self.cases = cases
    }

    /// The handles edges may leave from: each case's id, and `false`.
    var handles: [String] { cases.map(\.id) + ["false"] }

    var outputs: [String: WorkflowValueType]? { ["result": .boolean, "selected_case_id": .string] }

    var reads: [(field: String, selector: [String])] {
        cases.flatMap { item in item.conditions.map { ("cases.\(item.id)", $0.selector) } }
    }

    func typeProblems(_ type: ([String]) -> WorkflowValueType?) -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        for item in cases {
            for (index, condition) in item.conditions.enumerated() {
                guard let actual = type(condition.selector), actual != .any else { continue }
                let field = "cases.\(item.id).conditions[\(index)]"
                let name = condition.selector.joined(separator: ".")
                switch condition.comparison {
                case .greater, .less, .greaterOrEqual, .lessOrEqual:
                    if actual != .number {
                        problems.append((field, "\(condition.comparison.rawValue) compares numbers, but \(name) is of type \(actual)"))
                    }
                case .contains, .notContains:
                    if actual != .string && !actual.isArray {
                        problems.append((field, "\(condition.comparison.rawValue) needs a string or an array, but \(name) is of type \(actual)"))
                    }
                case .startWith, .endWith:
                    if actual != .string {
                        problems.append((field, "\(condition.comparison.rawValue) needs a string, but \(name) is of type \(actual)"))
                    }
                case .allOf:
                    if !actual.isArray { problems.append((field, "all of needs an array, but \(name) is of type \(actual)")) }
                default:
                    break
                }
            }
        }
        return problems
    }

    func run(_ context: StepContext) async throws -> StepResult {
        var inputs: [JSONValue] = []
        for item in cases {
            var results: [Bool] = []
            for condition in item.conditions {
                let actual = context.pool.value(condition.selector)
                let expected: JSONValue = condition.value.string.map { .string(context.pool.render($0)) } ?? condition.value
                inputs.append([
                    "actual_value": actual ?? .null, "expected_value": expected, "comparison_operator": .string(condition.comparison.rawValue),
                ])
                results.append(Self.holds(condition.comparison, actual, expected))
            }
            if item.all ? results.allSatisfy({ $0 }) : results.contains(true) {
                return StepResult(
                    inputs: ["conditions": .array(inputs)], outputs: ["result": true, "selected_case_id": .string(item.id)], handles: [item.id]
                )
            }
        }
        return StepResult(inputs: ["conditions": .array(inputs)], outputs: ["result": false, "selected_case_id": "false"], handles: ["false"])
    }

    static func holds(_ comparison: Comparison, _ actual: JSONValue?, _ expected: JSONValue) -> Bool {
        let value = actual ?? .null
        switch comparison {
        case .null: return value.isNull
        case .notNull: return !value.isNull
        case .exists: return actual != nil && !value.isNull
        case .notExists: return actual == nil || value.isNull
        case .empty: return isEmpty(value)
        case .notEmpty: return !isEmpty(value)
        case .contains: return contains(value, expected)
        case .notContains: return !contains(value, expected)
        case .startWith: return value.string.map { $0.hasPrefix(expected.text) } ?? false
        case .endWith: return value.string.map { $0.hasSuffix(expected.text) } ?? false
        case .is: return value.text == expected.text
        case .isNot: return value.text != expected.text
        case .in: return list(expected).contains(value.text)
        case .notIn: return !list(expected).contains(value.text)
        case .allOf: return list(expected).allSatisfy { item in value.array.contains { $0.text == item } }
        case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual:
            guard let left = number(value), let right = number(expected) else { return comparison == .notEqual && value.text != expected.text }
            switch comparison {
            case .equal: return left == right
            case .notEqual: return left != right
            case .greater: return left > right
            case .less: return left < right
            case .greaterOrEqual: return left >= right
            default: return left <= right
            }
        }
    }

    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        case .array(let items): items.isEmpty
        case .object(let members): members.isEmpty
        default: false
        }
    }

    private static func contains(_ value: JSONValue, _ expected: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.contains(expected.text)
        case .array(let items): items.contains { $0.text == expected.text }
        default: false
        }
    }

    private static func list(_ expected: JSONValue) -> [String] {
        if case .array(let items) = expected { return items.map(\.text) }
        return expected.text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number
        case .string(let text): Double(text.trimmingCharacters(in: .whitespaces))
        case .bool(let flag): flag ? 1 : 0
        default: nil
        }
    }
}
