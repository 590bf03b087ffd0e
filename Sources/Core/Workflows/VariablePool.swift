import Foundation

/// The values a run has so far, by node: a node's outputs under its id, the system variables under `sys`, environment
/// variables under `env`, conversation variables under `conversation`. A selector is `[node, name, key…]`; the keys
/// reach into objects (a variable aggregator's groups, an object output).
///
/// A value type: each node runs on a copy holding everything upstream of it, so nodes that run at once share nothing.
public struct VariablePool: Sendable {
    private var values: [String: [String: JSONValue]]

    init(system: [String: JSONValue], environment: [String: JSONValue] = [:], conversation: [String: JSONValue] = [:]) {
        values = ["sys": system, "env": environment, "conversation": conversation]
    }

    mutating func set(_ outputs: [String: JSONValue], of node: String) {
        values[node] = outputs
    }

    mutating func set(_ value: JSONValue, _ name: String, of node: String) {
        values[node, default: [:]][name] = value
    }

    /// The value a selector names, or `nil` when the node did not run or has no such value.
    func value(_ selector: [String]) -> JSONValue? {
        guard selector.count >= 2, let outputs = values[selector[0]], var value = outputs[selector[1]] else { return nil }
        for key in selector.dropFirst(2) {
            guard case .object(let object) = value, let inner = object[key] else { return nil }
            value = inner
        }
        return value
    }

    /// Every value by its bare name, for Dify's `{{name}}` in a manual metadata filter: the system variables, then the
    /// nodes' outputs (the start node's are the run's inputs).
    var byName: [String: JSONValue] {
        var named: [String: JSONValue] = [:]
        for (node, outputs) in values where node != "sys" && node != "env" && node != "conversation" {
            named.merge(outputs) { kept, _ in kept }
        }
        return named.merging(values["sys", default: [:]]) { _, system in system }
    }

    /// Replaces every `{{#node.name#}}` in `text` with that value as text (strings as they are, others as JSON; nothing
    /// for a value that is missing).
    func render(_ text: String) -> String {
        guard text.contains("{{#") else { return text }
        var result = ""
        var rest = text[...]
        while let open = rest.range(of: "{{#") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "#}}") else {
                result += rest[open.lowerBound...]
                return result
            }
            let selector = rest[open.upperBound..<close.lowerBound].split(separator: ".").map(String.init)
            if let reference = VariableReference(selector), let value = value(reference.selector) {
                result += value.text
            } else if VariableReference(selector) == nil {
                result += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}

/// A `{{#node.name#}}` reference in a prompt or an answer; `sys.query` and the like too.
struct VariableReference: Sendable, Equatable {
    let selector: [String]

    init?(_ parts: [String]) {
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else { return nil }
        selector = parts
    }

    /// Every reference in `text`, in order.
    static func all(in text: String) -> [VariableReference] {
        var found: [VariableReference] = []
        var rest = text[...]
        while let open = rest.range(of: "{{#"), let close = rest[open.upperBound...].range(of: "#}}") {
            if let reference = VariableReference(rest[open.upperBound..<close.lowerBound].split(separator: ".").map(String.init)) {
                found.append(reference)
            }
            rest = rest[close.upperBound...]
        }
        return found
    }
}
