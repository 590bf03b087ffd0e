/// A variable's type as Dify names it: `string`, `number`, `boolean`, `object`, `file`, `array[string]`, … and `any`.
struct WorkflowValueType: Sendable, Hashable, CustomStringConvertible {
    let name: String

    static let string = WorkflowValueType(name: "string")
    static let number = WorkflowValueType(name: "number")
    static let boolean = WorkflowValueType(name: "boolean")
    static let object = WorkflowValueType(name: "object")
    static let any = WorkflowValueType(name: "any")
    static let arrayOfAny = WorkflowValueType(name: "array[any]")

    private static let scalars: Set<String> = ["string", "number", "boolean", "object", "file", "any", "secret"]

    private init(name: String) { self.name = name }

    init?(_ text: String) {
        let name = text.lowercased()
        if Self.scalars.contains(name) {
            self.name = name == "secret" ? "string" : name
        } else if name.hasPrefix("array["), name.hasSuffix("]"), Self.scalars.contains(String(name.dropFirst(6).dropLast())) {
            self.name = name
        } else if name == "array" {
            self.name = "array[any]"
        } else {
            return nil
        }
    }

    var description: String { name }

    var isArray: Bool { name.hasPrefix("array[") }

    /// The type of an array's items.
    var element: WorkflowValueType? { isArray ? WorkflowValueType(String(name.dropFirst(6).dropLast())) : nil }

    static func array(of element: WorkflowValueType) -> WorkflowValueType { WorkflowValueType(name: "array[\(element.name)]") }

    /// Whether a value of type `other` may stand where this type is expected (`any` on either side always may).
    func admits(_ other: WorkflowValueType) -> Bool {
        if self == other || self == .any || other == .any { return true }
        if isArray, other.isArray, let mine = element, let theirs = other.element { return mine.admits(theirs) }
        return false
    }

    /// Whether `value` is of this type (`null` never is, but `any`).
    func accepts(_ value: JSONValue) -> Bool {
        switch (name, value) {
        case ("any", _): return true
        case ("string", .string), ("number", .number), ("boolean", .bool), ("object", .object), ("file", .object): return true
        case (_, .array(let items)) where isArray:
            guard let element else { return false }
            return items.allSatisfy { element.accepts($0) }
        default: return false
        }
    }

    /// The type of a value (as far as it tells).
    static func of(_ value: JSONValue) -> WorkflowValueType {
        switch value {
        case .string: .string
        case .number: .number
        case .bool: .boolean
        case .object: .object
        case .null: .any
        case .array(let items):
            items.first.map { first in
                let type = Self.of(first)
                return items.allSatisfy { Self.of($0) == type } ? .array(of: type) : .arrayOfAny
            } ?? .arrayOfAny
        }
    }
}
