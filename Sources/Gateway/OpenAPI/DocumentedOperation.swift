import Core
import OpenAPIKit

/// One route of Relay's API as the OpenAPI document describes it. Every area file
/// (`PublicAPIDocumentation`, `OperatorAPIDocumentation`, `ConsoleAPIDocumentation`, `KnowledgeAPIDocumentation`)
/// returns a list of these, and `APIDocument` assembles them; the drift test compares them with the router's routes.
///
/// Writing one:
/// ```swift
/// DocumentedOperation(
///     .get, "/admin/api/workspaces/{workspace_id}", id: "getWorkspace", summary: "One workspace", tag: "Operator",
///     security: .adminKey, parameters: [.pathID("workspace_id")],
///     responses: [200: .json("The workspace", workspaceSchema)], errors: [404]
/// )
/// DocumentedOperation.underBothPrefixes(.get, "/info", id: "getAppInfo", ..., security: .appKey, ...)  // /v1 and /api
/// ```
/// The error statuses of the authentication (`security`), of a JSON body (400, 413) and of query parameters (400) are
/// added for you; list the others the handler can answer in `errors`. All error responses share the `Error` body
/// (`APIComponents.errorBody`).
///
/// `path` is the router's path with each `:name` as `{name}`. A route with `**` (a provider id with slashes,
/// `model-providers/**/credentials`) is documented with one or more path parameters in its place, e.g.
/// `/console/api/workspaces/current/model-providers/{provider}/credentials`; `OpenAPITests` accepts those as its
/// documentation and requires one.
struct DocumentedOperation {
    let method: OpenAPI.HttpMethod
    /// The OpenAPI path template, e.g. `/v1/conversations/{conversation_id}`.
    let path: String
    let operation: OpenAPI.Operation

    init(method: OpenAPI.HttpMethod, path: String, operation: OpenAPI.Operation) {
        self.method = method
        self.path = path
        self.operation = operation
    }

    /// One operation; `responses` are the success responses, `errors` the error statuses beyond those of `security`
    /// and of the body.
    init(
        _ method: OpenAPI.HttpMethod, _ path: String, id: String, summary: String, description: String? = nil, tag: String,
        security: APISecurity, parameters: [OpenAPI.Parameter] = [], body: OpenAPI.Request? = nil,
        responses: OpenAPI.Response.Map, errors: [Int] = []
    ) {
        var statuses = security.errorStatuses + errors
        if let body, body.content[.json] != nil { statuses += [400, 413] }
        // A query parameter of one value given twice is a 400 (`Request.queryString`), whatever else it may be.
        if parameters.contains(where: { $0.location == .query }) { statuses.append(400) }
        var allResponses = responses
        for (status, response) in errorResponses(Set(statuses).sorted()) where allResponses[status: status] == nil {
            allResponses[status: status] = response
        }
        self.init(
            method: method, path: path,
            operation: OpenAPI.Operation(
                tags: [tag], summary: summary, description: description, operationId: id,
                parameters: parameters.map { .b($0) }, requestBody: body, responses: allResponses,
                security: security.requirements
            )
        )
    }

    /// The prefixes the Public API and the knowledge API are served under: Dify's SDKs call `/v1`, the seed documents `/api`.
    static let publicPrefixes = ["/v1", "/api"]

    /// The same operation under `/v1` and `/api` (`path` without the prefix, e.g. `/conversations/{conversation_id}`).
    /// The `/api` copy's operation id ends in `ViaAPI`, since ids are unique in a document.
    static func underBothPrefixes(
        _ method: OpenAPI.HttpMethod, _ path: String, id: String, summary: String, description: String? = nil, tag: String,
        security: APISecurity, parameters: [OpenAPI.Parameter] = [], body: OpenAPI.Request? = nil,
        responses: OpenAPI.Response.Map, errors: [Int] = []
    ) -> [DocumentedOperation] {
        publicPrefixes.map { prefix in
            DocumentedOperation(
                method, prefix + path, id: prefix == "/v1" ? id : id + "ViaAPI", summary: summary, description: description,
                tag: tag, security: security, parameters: parameters, body: body, responses: responses, errors: errors
            )
        }
    }
}

/// Who may call an operation: one of the security schemes of `APIComponents.securitySchemes`, or nobody in particular.
enum APISecurity {
    /// No credentials (health, setup, sign-in, the document itself). Adds no error statuses: list 503 for a route
    /// that reads the database (setup, sign-in), which answers it when the database is busy.
    case none
    /// The console's access token (JWT) in `Authorization: Bearer`.
    case consoleToken
    /// An app key (`app-…`), or a workspace key (`ws-…`) naming its app in `X-App-Id`.
    case appKey
    /// A dataset key (`ds-…`), or a workspace key with the `dataset` permission.
    case datasetKey
    /// The operator key (`RELAY_ADMIN_KEY`) in `Authorization: Bearer`.
    case adminKey
    /// The metrics key (`RELAY_METRICS_KEY`) or the operator key, for `/metrics` on the main port.
    case metricsKey

    var schemeName: String? {
        switch self {
        case .none: nil
        case .consoleToken: "consoleToken"
        case .appKey: "appKey"
        case .datasetKey: "datasetKey"
        case .adminKey: "adminKey"
        case .metricsKey: "metricsKey"
        }
    }

    var requirements: [OpenAPI.SecurityRequirement] {
        guard let schemeName else { return [] }
        if self == .metricsKey { return [[.component(named: schemeName): []], [.component(named: "adminKey"): []]] }
        return [[.component(named: schemeName): []]]
    }

    /// What the authentication middleware itself can answer before the handler runs, and 503 for the database being
    /// busy or unreachable, which every authenticated route reads. A console route's other answers (403 for a former
    /// member, 429 for the console's write budget) are the operation's to list.
    var errorStatuses: [Int] {
        switch self {
        case .none: []
        case .consoleToken: [401, 503]
        // 400: a workspace key without `X-App-Id`; 403: the app's API is off or the key lacks the mode's permission;
        // 404: `X-App-Id` names no app of the key's workspace; 429: the plan's budgets or the app's active-request cap.
        case .appKey: [400, 401, 403, 404, 429, 503]
        // 403: a workspace key without the `dataset` permission; 429: the workspace plan's budgets.
        case .datasetKey: [401, 403, 429, 503]
        // 403: the operator API is off (no admin key configured).
        case .adminKey: [401, 403, 503]
        // 403: no metrics key and no operator key configured.
        case .metricsKey: [401, 403]
        }
    }
}

// MARK: - Responses

/// Error responses with the shared `Error` body, one per status: references to `components.responses` (`Error404`).
func errorResponses(_ statuses: [Int]) -> OpenAPI.Response.Map {
    var map: OpenAPI.Response.Map = [:]
    for status in statuses {
        let code = OpenAPI.Response.StatusCode(integerLiteral: status)
        map[status: code] =
            APIComponents.errorStatuses.contains(status)
            ? .reference(.component(named: APIComponents.errorResponseName(status)))
            : .errorBody(APIComponents.errorDescription(status))
    }
    return map
}

/// Error responses with the shared `Error` body, one per status.
func errorResponses(_ statuses: Int...) -> OpenAPI.Response.Map {
    errorResponses(statuses)
}

extension Either where A == OpenAPI.Reference<OpenAPI.Response>, B == OpenAPI.Response {
    /// A JSON response (`application/json`) whose body is `schema`.
    static func json(_ description: String, _ schema: JSONSchema) -> Self {
        .b(OpenAPI.Response(description: description, content: [.json: .content(OpenAPI.Content(schema: schema))]))
    }

    /// A JSON response, or a server-sent event stream (`text/event-stream`) when the request asked to stream.
    static func jsonOrEventStream(_ description: String, _ schema: JSONSchema) -> Self {
        .b(
            OpenAPI.Response(
                description: description,
                content: [
                    .json: .content(OpenAPI.Content(schema: schema)),
                    .eventStream: .content(OpenAPI.Content(schema: .string(description: "`data: {json}` events"))),
                ]
            )
        )
    }

    /// A server-sent event stream (`text/event-stream`): `data: {json}` lines, each event's `event` field naming it.
    static func eventStream(_ description: String) -> Self {
        .b(
            OpenAPI.Response(
                description: description,
                content: [.eventStream: .content(OpenAPI.Content(schema: .string(description: "`data: {json}` events")))]
            )
        )
    }

    /// A response of another media type (`application/yaml`, `text/plain`, a file's bytes).
    static func content(_ description: String, _ type: OpenAPI.ContentType, _ schema: JSONSchema = .string) -> Self {
        .b(OpenAPI.Response(description: description, content: [type: .content(OpenAPI.Content(schema: schema))]))
    }

    /// A response without a body (204).
    static func noContent(_ description: String = "Done; no body") -> Self {
        .b(OpenAPI.Response(description: description))
    }

    /// The shared `Error` body.
    static func errorBody(_ description: String) -> Self {
        .json(description, APIComponents.errorBody)
    }
}

// MARK: - Request bodies

/// A JSON request body (`application/json`).
func jsonBody(_ schema: JSONSchema, required: Bool = true, description: String? = nil) -> OpenAPI.Request {
    OpenAPI.Request(description: description, content: [.json: .content(OpenAPI.Content(schema: schema))], required: required)
}

/// A `multipart/form-data` request body whose fields are `schema`'s properties (a file field is `.binaryFile`).
func multipartBody(_ schema: JSONSchema, description: String? = nil) -> OpenAPI.Request {
    OpenAPI.Request(description: description, content: [.multipartForm: .content(OpenAPI.Content(schema: schema))], required: true)
}

extension JSONSchema {
    /// A file's bytes, as a multipart field.
    static var binaryFile: JSONSchema { .string(minLength: 1, contentMediaType: .other("application/octet-stream")) }
    /// A UUID string.
    static var uuid: JSONSchema { .string(format: .uuid) }
    /// Seconds since 1970, as an integer.
    static var timestamp: JSONSchema { .integer(description: "Unix time in seconds") }
    /// An integer from `lowest` to `highest` (when given), as Relay checks page numbers and limits.
    static func integer(from lowest: Int, to highest: Int? = nil, default fallback: Int? = nil) -> JSONSchema {
        .integer(
            maximum: highest.map { ($0, exclusive: false) }, minimum: (lowest, exclusive: false),
            defaultValue: fallback.map { AnyCodable($0) }
        )
    }
    /// Any JSON value (including `null`).
    static var anyValue: JSONSchema { .fragment }

    /// This schema, but a property that may be absent.
    var optional: JSONSchema { optionalSchemaObject() }
    /// This schema, but `null` allowed too. For a `$ref` schema use `APIComponents.nullable(_:)`.
    var nullable: JSONSchema { nullableSchemaObject() }
}

// MARK: - Parameters

extension OpenAPI.Parameter {
    /// A required path parameter that is a UUID (`{app_id}`); Relay answers 400 `invalid_param` for anything else.
    static func pathID(_ name: String, description: String? = nil) -> OpenAPI.Parameter {
        .path(name: name, schema: .uuid, description: description)
    }

    /// A required path parameter of any string (`{provider}`).
    static func pathString(_ name: String, description: String? = nil) -> OpenAPI.Parameter {
        .path(name: name, schema: .string, description: description)
    }

    /// A query parameter (optional unless `required`). `allowsEmpty` when the handler takes `name=` as absent, as
    /// `Request.queryInt` and most optional parameters do.
    static func query(
        _ name: String, _ schema: JSONSchema = .string, required: Bool = false, allowsEmpty: Bool = false, description: String? = nil
    ) -> OpenAPI.Parameter {
        .query(name: name, required: required, allowEmptyValue: allowsEmpty, schema: schema, description: description)
    }

    /// `page`, checked as `Paging.check` does: from 1 to `Paging.maxPage`, 1 when absent or empty.
    static var page: OpenAPI.Parameter {
        .query("page", .integer(from: 1, to: Paging.maxPage, default: 1), allowsEmpty: true)
    }

    /// `limit`, from 1 to `highest`, `fallback` when absent or empty.
    static func limit(upTo highest: Int, default fallback: Int) -> OpenAPI.Parameter {
        .query("limit", .integer(from: 1, to: highest, default: fallback), allowsEmpty: true)
    }

    /// An optional header parameter.
    static func header(
        _ name: String, _ schema: JSONSchema = .string, required: Bool = false, description: String? = nil
    )
        -> OpenAPI.Parameter
    {
        .header(name: name, required: required, schema: schema, description: description)
    }
}
