import Core
import Foundation
import Yams

/// A YAML file of a package read as JSON values, so every field can be checked and named in a problem.
enum YAMLDocument {
    static func load(_ text: String, file: String) throws(PackageProblem) -> JSONValue {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw PackageProblem(file, "", "is not valid YAML: \(error)")
        }
        guard let loaded, case .object = json(loaded) else { throw PackageProblem(file, "", "must be a YAML mapping") }
        return json(loaded)
    }

    private static func json(_ value: Any) -> JSONValue {
        switch value {
        case let value as Bool: .bool(value)
        case let value as Int: .number(Double(value))
        case let value as Double: .number(value)
        case let value as String: .string(value)
        case let value as Date: .string(ISO8601DateFormatter().string(from: value))
        case let value as [Any]: .array(value.map(json))
        case let value as [String: Any]: .object(value.mapValues(json))
        case let value as [AnyHashable: Any]:
            .object(Dictionary(value.map { ("\($0.key)", json($0.value)) }, uniquingKeysWith: { first, _ in first }))
        default: .null
        }
    }
}
