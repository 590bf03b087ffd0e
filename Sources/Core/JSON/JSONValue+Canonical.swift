public import Foundation

extension JSONValue {
    /// The value as JSON with sorted keys and unescaped slashes: the same value always gives the same bytes (for
    /// hashes), and what people read stays readable.
    public var canonicalData: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    /// The value as text in a prompt or template: a string as it is, a whole number without a fraction, others as JSON.
    public var text: String {
        switch self {
        case .null: return ""
        case .string(let value): return value
        case .bool(let value): return value ? "true" : "false"
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
            return String(value)
        case .array, .object:
            return String(decoding: canonicalData, as: UTF8.self)
        }
    }
}
