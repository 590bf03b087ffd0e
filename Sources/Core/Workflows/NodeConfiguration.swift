import Foundation

/// Reads one node's configuration (its `data`), noting every field that is missing or wrong instead of stopping at the
/// first.
struct NodeConfiguration {
    let node: WorkflowGraph.Node
    private(set) var problems: [WorkflowProblem] = []

    init(_ node: WorkflowGraph.Node) { self.node = node }

    subscript(key: String) -> JSONValue { node.data[key] }

    mutating func problem(_ field: String, _ message: String) {
        problems.append(WorkflowProblem(node: node.id, field: field, message))
    }

    /// A string field; a problem when it is required and missing or empty.
    mutating func string(_ key: String, required: Bool = true) -> String? {
        if let value = node.data[key].string, !value.isEmpty || !required { return value }
        if required { problem(key, "\(key) is required") }
        return nil
    }

    /// A variable selector, `[node, name, key…]` of non-empty strings.
    mutating func selector(_ value: JSONValue, field: String) -> [String]? {
        let parts = value.array.compactMap(\.string)
        guard parts.count >= 2, parts.count == value.array.count, parts.allSatisfy({ !$0.isEmpty }) else {
            problem(field, "\(field) must name a variable as [node id, variable name]")
            return nil
        }
        return parts
    }

    /// `[{variable, value_selector}]`: the named inputs of a template or a code node (names that code can use), or the
    /// outputs of an end node (`anyName`: any non-empty name).
    mutating func namedSelectors(_ key: String, anyName: Bool = false) -> [(name: String, selector: [String])] {
        var named: [(String, [String])] = []
        var names: Set<String> = []
        for (index, item) in node.data[key].array.enumerated() {
            let field = "\(key)[\(index)]"
            guard let name = item["variable"].string, anyName ? !name.isEmpty : Self.isIdentifier(name) else {
                problem(
                    "\(field).variable",
                    anyName ? "every output needs a name" : "variable must be a name of letters, digits and underscores, not starting with a digit"
                )
                continue
            }
            guard names.insert(name).inserted else {
                problem("\(field).variable", "two variables are named \(name)")
                continue
            }
            if let selector = selector(item["value_selector"], field: "\(field).value_selector") { named.append((name, selector)) }
        }
        switch node.data[key] {
        case .null, .array: break
        default: problem(key, "\(key) must be a list")
        }
        return named
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
