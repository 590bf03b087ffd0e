public import Foundation

/// One field of an app's input form (Dify's `user_input_form` item, e.g. `{"text-input": {"variable": "name", …}}`).
public struct UserInputField: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, CaseIterable {
        case textInput = "text-input"
        case paragraph
        case select
        case number
        case checkbox
    }

    public var kind: Kind
    public var variable: String
    public var label: String
    public var isRequired: Bool
    /// Longest accepted text (text fields); `nil` for no limit.
    public var maxLength: Int?
    public var options: [String]
    public var defaultValue: JSONValue?

    private struct Body: Codable {
        var variable: String
        var label: String?
        var required: Bool?
        var maxLength: Int?
        var options: [String]?
        var `default`: JSONValue?

        enum CodingKeys: String, CodingKey {
            case variable, label, required
            case maxLength = "max_length"
            case options, `default`
        }
    }

    private struct KindKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: KindKey.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "each form item is an object with one key, its type")
            )
        }
        guard let kind = Kind(rawValue: key.stringValue) else {
            let accepted = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath + [key], debugDescription: "the type must be one of \(accepted)")
            )
        }
        let body = try container.decode(Body.self, forKey: key)
        self.kind = kind
        self.variable = body.variable
        self.label = body.label ?? body.variable
        self.isRequired = body.required ?? false
        self.maxLength = body.maxLength
        self.options = body.options ?? []
        self.defaultValue = body.default
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: KindKey.self)
        try container.encode(
            Body(
                variable: variable, label: label, required: isRequired, maxLength: maxLength,
                options: kind == .select ? options : nil, default: defaultValue ?? ""
            ),
            forKey: KindKey(stringValue: kind.rawValue)
        )
    }

    /// Problems with this field's own definition, as (field path, message).
    func problems(at index: Int) -> [(String, String)] {
        var problems: [(String, String)] = []
        let path = "user_input_form[\(index)]"
        if variable.range(of: #"^[A-Za-z_][A-Za-z0-9_]{0,99}$"#, options: .regularExpression) == nil {
            problems.append(("\(path).variable", "variable must start with a letter or _ and contain only letters, digits and _"))
        }
        if let maxLength, maxLength < 1 { problems.append(("\(path).max_length", "max_length must be at least 1")) }
        if kind == .select, options.isEmpty { problems.append(("\(path).options", "a select field needs options")) }
        return problems
    }

    /// The value to use for this field from a request's `inputs`, or the refusal naming what is wrong.
    func accept(_ value: JSONValue?) throws -> JSONValue? {
        let field = "inputs.\(variable)"
        let given: JSONValue? =
            switch value {
            case nil, .null?: nil
            case .string(let text)? where text.isEmpty: nil
            default: value
            }
        guard let given else {
            if isRequired { throw RelayError.invalidParam(field, "\(variable) is required in input form", type: "required") }
            return defaultValue.flatMap { $0 == .string("") ? nil : $0 }
        }
        switch kind {
        case .textInput, .paragraph:
            guard case .string(let text) = given else {
                throw RelayError.invalidParam(field, "\(variable) in input form must be a string", type: "type")
            }
            if let maxLength, text.count > maxLength {
                throw RelayError.invalidParam(
                    field, "\(variable) in input form must be at most \(maxLength) characters", type: "max_length"
                )
            }
        case .select:
            guard case .string(let text) = given, options.contains(text) else {
                throw RelayError.invalidParam(
                    field, "\(variable) in input form must be one of the following: \(options.joined(separator: ", "))", type: "enum"
                )
            }
        case .number:
            switch given {
            case .number: break
            case .string(let text) where Double(text) != nil: return .number(Double(text)!)
            default: throw RelayError.invalidParam(field, "\(variable) in input form must be a number", type: "type")
            }
        case .checkbox:
            guard case .bool = given else {
                throw RelayError.invalidParam(field, "\(variable) in input form must be a boolean", type: "type")
            }
        }
        return given
    }
}

extension [UserInputField] {
    /// The inputs the form defines, checked and with defaults filled in; anything else a client sent is dropped.
    public func accept(_ inputs: [String: JSONValue]) throws -> [String: JSONValue] {
        var accepted: [String: JSONValue] = [:]
        for field in self {
            if let value = try field.accept(inputs[field.variable]) { accepted[field.variable] = value }
        }
        return accepted
    }
}
