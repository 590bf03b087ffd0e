import Core
import Foundation
import Hummingbird

/// The one way a handler answers with JSON: it returns a value conforming to this, which the router encodes with the
/// context's `responseEncoder` (`RelayJSON.encoder`) as `application/json; charset=utf-8`.
///
/// - A typed body, a struct whose coding keys are the wire's field names, when the shape is fixed: the console's and
///   operator's resources, `SuccessBody`. A `nil` optional field is left out; make it a `JSONValue` to send `null`.
/// - `JSONBody` of a `JSONValue` when the shape is assembled: by the helpers the streamed events share (`Envelope`,
///   `WorkflowJSON`, `DatasetJSON`), or around the caller's own JSON (inputs, outputs, configurations).
///
/// Another status: `EditedResponse(status:response:)`. A handler that may also stream returns `Response`, and its JSON
/// branch `try body.response(from: request, context: context)`.
protocol ResponseCodableBody: ResponseEncodable {}

/// Any JSON value as a response body; see `ResponseCodableBody` for when to use it rather than a typed body.
struct JSONBody: ResponseCodableBody {
    let value: JSONValue

    init(_ value: JSONValue) {
        self.value = value
    }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}

/// `{"result": "success"}`: the answer of an action that has nothing else to say.
struct SuccessBody: ResponseCodableBody {
    let result = "success"
}

extension JSONValue {
    /// Any encodable value as JSON, as a response would encode it (`null` if it cannot be encoded).
    init(encoding value: some Encodable) {
        self = (try? JSONDecoder().decode(JSONValue.self, from: RelayJSON.encoder.encode(value))) ?? .null
    }
}
