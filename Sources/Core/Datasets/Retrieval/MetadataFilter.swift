public import Foundation

/// Dify's `metadata_filtering_conditions`: which documents a retrieval may return, by their metadata values. Conditions
/// are joined by `and` or `or`; each names a field (custom or built-in), a comparison and, except for `empty` and
/// `not empty`, a value.
public struct MetadataFilter: Sendable, Equatable {
    public enum LogicalOperator: String, Sendable, CaseIterable {
        case and, or
    }

    /// Dify's comparison operators, in its spellings (the mathematical signs also in ASCII).
    public enum Comparison: String, Sendable, CaseIterable {
        case contains
        case notContains = "not contains"
        case startWith = "start with"
        case endWith = "end with"
        case isEqual = "is"
        case isNot = "is not"
        case empty
        case notEmpty = "not empty"
        case inList = "in"
        case notInList = "not in"
        case equal = "="
        case notEqual = "≠"
        case greater = ">"
        case less = "<"
        case greaterOrEqual = "≥"
        case lessOrEqual = "≤"
        case before
        case after

        /// Parses Dify's spelling or its ASCII alternative (`!=`, `>=`, `<=`).
        public static func parse(_ text: String) -> Comparison? {
            switch text {
            case "!=": .notEqual
            case ">=": .greaterOrEqual
            case "<=": .lessOrEqual
            case "==": .equal
            default: Comparison(rawValue: text)
            }
        }

        var needsValue: Bool { self != .empty && self != .notEmpty }
    }

    public struct Condition: Sendable, Equatable {
        public var name: String
        public var comparison: Comparison
        public var value: JSONValue

        public init(name: String, comparison: Comparison, value: JSONValue) {
            self.name = name
            self.comparison = comparison
            self.value = value
        }
    }

    public var logicalOperator: LogicalOperator
    public var conditions: [Condition]

    public init(logicalOperator: LogicalOperator = .and, conditions: [Condition]) {
        self.logicalOperator = logicalOperator
        self.conditions = conditions
    }

    /// The filter a request's JSON describes (`field` names it in errors); `nil` for `null` or no conditions.
    public static func parse(_ json: JSONValue?, field: String) throws -> MetadataFilter? {
        guard let json, json != .null else { return nil }
        guard let object = json.object else { throw RelayError.invalidParam(field, "\(field) must be an object") }
        let logical: LogicalOperator
        switch object["logical_operator"] ?? .null {
        case .null: logical = .and
        case .string(let text):
            guard let known = LogicalOperator(rawValue: text.lowercased()) else {
                throw RelayError.invalidParam("\(field).logical_operator", "logical_operator must be and or or", type: "enum")
            }
            logical = known
        default: throw RelayError.invalidParam("\(field).logical_operator", "logical_operator must be and or or", type: "enum")
        }
        let items: [JSONValue]
        switch object["conditions"] ?? .null {
        case .null: items = []
        case .array(let list): items = list
        default: throw RelayError.invalidParam("\(field).conditions", "conditions must be a list")
        }
        guard items.count <= 100 else { throw RelayError.invalidParam("\(field).conditions", "At most 100 conditions", type: "too_long") }
        var conditions: [Condition] = []
        for (index, item) in items.enumerated() {
            let path = "\(field).conditions[\(index)]"
            guard let name = item["name"].string, !name.isEmpty else {
                throw RelayError.invalidParam("\(path).name", "Each condition names a metadata field")
            }
            guard let spelled = item["comparison_operator"].string, let comparison = Comparison.parse(spelled) else {
                let accepted = Comparison.allCases.map(\.rawValue).joined(separator: ", ")
                throw RelayError.invalidParam("\(path).comparison_operator", "comparison_operator must be one of \(accepted)", type: "enum")
            }
            let value = item["value"]
            // As in Dify, a condition without a value filters nothing.
            if comparison.needsValue && value == .null { continue }
            if comparison.needsValue {
                switch value {
                case .string, .number: break
                case .array(let list) where comparison == .inList || comparison == .notInList:
                    guard list.allSatisfy({ $0.string != nil || $0.number != nil || $0 == .null }) else {
                        throw RelayError.invalidParam("\(path).value", "An in or not in list holds strings or numbers")
                    }
                default:
                    throw RelayError.invalidParam("\(path).value", "The comparison \(comparison.rawValue) needs a string or number value")
                }
            }
            conditions.append(Condition(name: name, comparison: comparison, value: value))
        }
        return conditions.isEmpty ? nil : MetadataFilter(logicalOperator: logical, conditions: conditions)
    }

    /// Whether a document with these values (by field name) passes.
    public func admits(_ values: [String: MetadataValue]) -> Bool {
        switch logicalOperator {
        case .and: conditions.allSatisfy { $0.holds(for: values[$0.name] ?? .none) }
        case .or: conditions.contains { $0.holds(for: values[$0.name] ?? .none) }
        }
    }

    public var json: JSONValue {
        [
            "logical_operator": .string(logicalOperator.rawValue),
            "conditions": .array(
                conditions.map { ["name": .string($0.name), "comparison_operator": .string($0.comparison.rawValue), "value": $0.value] }),
        ]
    }
}

extension MetadataFilter.Condition {
    /// Dify's semantics: text comparisons are case-insensitive for contains/starts/ends, exact for `is`; a missing value
    /// passes only `empty` and the negative comparisons of text.
    func holds(for actual: MetadataValue) -> Bool {
        switch comparison {
        case .empty: return actual.isNone || actual == .string("")
        case .notEmpty: return !(actual.isNone || actual == .string(""))
        default: break
        }
        switch actual {
        case .none:
            return comparison == .notContains || comparison == .isNot || comparison == .notInList || comparison == .notEqual
        case .string(let text):
            let wanted = Self.text(value)
            switch comparison {
            case .contains: return text.range(of: wanted, options: .caseInsensitive) != nil
            case .notContains: return text.range(of: wanted, options: .caseInsensitive) == nil
            case .startWith: return text.lowercased().hasPrefix(wanted.lowercased())
            case .endWith: return text.lowercased().hasSuffix(wanted.lowercased())
            case .isEqual, .equal: return text == wanted
            case .isNot, .notEqual: return text != wanted
            case .inList: return Self.list(value).contains(text)
            case .notInList: return !Self.list(value).contains(text)
            default: return false
            }
        case .number(let number), .time(let number):
            if comparison == .inList || comparison == .notInList {
                let found = Self.list(value).contains { Double($0) == number }
                return comparison == .inList ? found : !found
            }
            guard let wanted = Self.number(value) else { return false }
            switch comparison {
            case .equal, .isEqual: return number == wanted
            case .notEqual, .isNot: return number != wanted
            case .greater, .after: return number > wanted
            case .less, .before: return number < wanted
            case .greaterOrEqual: return number >= wanted
            case .lessOrEqual: return number <= wanted
            case .contains: return Self.numberText(number).contains(Self.text(value))
            case .notContains: return !Self.numberText(number).contains(Self.text(value))
            default: return false
            }
        }
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .number(let number): numberText(number)
        default: ""
        }
    }

    private static func numberText(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let number): number
        case .string(let text): Double(text.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    /// An `in` list: a JSON list, or Dify's comma-separated text.
    private static func list(_ value: JSONValue) -> [String] {
        switch value {
        case .array(let items): items.map(text)
        case .string(let joined): joined.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        case .number(let number): [numberText(number)]
        default: []
        }
    }
}
