import Foundation
import OpenAPIKit

/// The document's shared components: the error body, the security schemes, and schemas every area reuses.
enum APIComponents {
    static var components: OpenAPI.Components {
        .direct(
            schemas: [errorBodyName: errorBodySchema],
            responses: errorStatuses.reduce(into: [:]) { responses, status in
                responses[OpenAPI.ComponentKey(stringLiteral: errorResponseName(status))] = OpenAPI.Response(
                    description: errorDescription(status), content: [.json: .content(OpenAPI.Content(schema: errorBody))]
                )
            },
            securitySchemes: [
                "consoleToken": .http(
                    scheme: "bearer", bearerFormat: "JWT",
                    description: "The console's access token, from `POST /console/api/login` or `/refresh-token`"
                ),
                "appKey": .http(
                    scheme: "bearer",
                    description: """
                        An app's API key (`app-…`), or a workspace key (`ws-…`) with the app's mode among its permissions, \
                        naming the app in the `X-App-Id` header. Never in the query string (`api_key` is refused with 401).
                        """
                ),
                "datasetKey": .http(
                    scheme: "bearer",
                    description: "A dataset API key (`ds-…`), or a workspace key (`ws-…`) with the `dataset` permission"
                ),
                "adminKey": .http(
                    scheme: "bearer",
                    description: "The operator key Relay was started with (`RELAY_ADMIN_KEY`); without one the operator API answers 403"
                ),
                "metricsKey": .http(
                    scheme: "bearer",
                    description: "The metrics key Relay was started with (`RELAY_METRICS_KEY`), for Prometheus; the operator key works too"
                ),
            ]
        )
    }

    // MARK: Error

    static let errorBodyName: OpenAPI.ComponentKey = "Error"

    /// `{"code", "message", "status", "details"?}`, as `RelayError+HTTPResponseError.swift` renders every error.
    static let errorBodySchema: JSONSchema = .object(
        description: "Every error Relay answers, whatever the route",
        properties: [
            "code": .string(description: "The catalogued code, e.g. `invalid_param`, `not_found`, `rate_limit_exceeded`"),
            "message": .string(description: "For people; never parsed"),
            "status": .integer(description: "The HTTP status, repeated"),
            "details": .object(
                required: false, nullable: true,
                description: "Structured details when there are any, e.g. `{\"field\": \"query\", \"type\": \"required\"}`"
            ),
        ]
    )

    /// A reference to the `Error` schema.
    static var errorBody: JSONSchema { reference(errorBodyName) }

    /// The error statuses with a shared response in `components.responses`, named by `errorResponseName`.
    static let errorStatuses = [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 502, 503, 504]

    static func errorResponseName(_ status: Int) -> String {
        "Error\(status)"
    }

    static func errorDescription(_ status: Int) -> String {
        switch status {
        case 400: "Invalid request: `invalid_param` (`details` names the field) or a domain error"
        case 401: "Missing, malformed, unknown or revoked credentials (`unauthorized`)"
        case 403: "Not allowed (`access_denied`, `forbidden`, `app_api_disabled`, …)"
        case 404: "Not found, or not in the caller's workspace (`not_found`)"
        case 405: "Method not allowed"
        case 409: "Conflict with the current state"
        case 413: "The request body or file is too large (`payload_too_large`, `file_too_large`)"
        case 415: "Unsupported file or media type (`unsupported_file_type`)"
        case 422: "The request is well-formed but cannot be processed"
        case 429: "A rate limit or concurrency cap was reached (`rate_limit_exceeded`, `too_many_requests`); see `Retry-After`"
        case 502: "An upstream (model server or plugin) failed"
        case 503: "Temporarily unavailable: the database is busy, or a plugin cannot start (`service_unavailable`, `plugin_unavailable`)"
        case 504: "An upstream (plugin) timed out"
        default: "Error"
        }
    }

    // MARK: Shared schemas

    /// A reference to a schema of `components.schemas`.
    static func reference(_ name: OpenAPI.ComponentKey, required: Bool = true) -> JSONSchema {
        .reference(.component(named: name.rawValue), required: required)
    }

    /// `schema` or `null`: for a `$ref`, which cannot carry `nullable` itself.
    static func nullable(_ schema: JSONSchema, required: Bool = true) -> JSONSchema {
        .one(of: [schema, .null()], core: .init(required: required))
    }

    /// `{"result": "success"}`: the answer of an action that has nothing else to say (`SuccessBody`).
    static let success: JSONSchema = .object(properties: ["result": .string(allowedValues: "success")])

    /// `{"data": [item], "has_more", "limit"}`: a slice that continues after its last item (conversations, messages).
    static func slice(of item: JSONSchema) -> JSONSchema {
        .object(properties: ["data": .array(items: item), "has_more": .boolean, "limit": .integer])
    }

    /// `{"data": [item], "has_more", "limit", "total", "page"}`: a numbered page (datasets, documents, segments).
    static func page(of item: JSONSchema, itemsKey: String = "data") -> JSONSchema {
        .object(
            properties: [
                itemsKey: .array(items: item), "has_more": .boolean, "limit": .integer, "total": .integer, "page": .integer,
            ]
        )
    }

    /// A JSON object of the caller's own shape (inputs, outputs, configurations).
    static let openObject: JSONSchema = .object(description: "A JSON object whose shape is the caller's")
}
