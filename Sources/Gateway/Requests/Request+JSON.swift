import Core
import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat

extension Request {
    /// Largest JSON body a console or Public API call accepts.
    static let maxJSONBodySize = 1 << 20

    /// Decodes the JSON body, answering 400 `invalid_param` that names the field for every way it can be wrong.
    mutating func decodeJSON<Body: Decodable>(as type: Body.Type) async throws -> Body {
        let buffer = try await collectBody(upTo: Self.maxJSONBodySize)
        guard buffer.readableBytes > 0 else {
            throw RelayError.invalidParam("body", "A JSON object body is required", type: "required")
        }
        do {
            return try JSONDecoder().decode(Body.self, from: buffer)
        } catch let error as DecodingError {
            throw RelayError(decoding: error)
        }
    }
}

extension RelayError {
    /// A decoder's complaint as `invalid_param`, naming the field by its JSON path (`emails[2]`, `retrieval_model.top_k`).
    init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce(into: "") { path, key in
                if let index = key.intValue {
                    path += "[\(index)]"
                } else {
                    path += path.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            self = .required(path(context.codingPath + [key]))
        case .valueNotFound(_, let context):
            let field = path(context.codingPath)
            self =
                field.isEmpty
                ? .invalidParam("body", "The request body must be a JSON object", type: "type")
                : .invalidParam(field, "Parameter '\(field)' must not be null", type: "required")
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            if field.isEmpty {
                self = .invalidParam("body", "The request body must be a JSON object", type: "type")
            } else {
                self = .invalidParam(field, "Parameter '\(field)' must be \(Self.jsonTypeName(type))", type: "type")
            }
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty {
                self = .invalidParam("body", "The request body is not valid JSON", type: "malformed")
            } else {
                self = .invalidParam(field, "Parameter '\(field)' has an invalid value: \(context.debugDescription)")
            }
        @unknown default:
            self = .invalidParam("body", "The request body could not be read", type: "malformed")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Double.Type, is Int64.Type: "a number"
        case is [Any].Type: "an array"
        default: type == [String].self ? "an array" : "an object"
        }
    }
}
