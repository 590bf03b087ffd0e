import Foundation

/// Values that the tables keep as JSON text, encoded and read back the same way on both engines.
enum StoredJSON {
    static func encode<Value: Encodable>(_ value: Value) -> String {
        (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? "null"
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ text: String, column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoredValueError(column: column, value: String(text.prefix(100)))
        }
    }
}
