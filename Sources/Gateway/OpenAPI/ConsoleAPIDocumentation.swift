import OpenAPIKit

/// The console API (`/console/api`): every route `buildRouter` mounts there, each area in its own extension file, and
/// the dataset routes as the console mounts them (written once, in `KnowledgeAPIDocumentation`).
enum ConsoleAPIDocumentation {
    static let prefix = "/console/api"

    static var operations: [DocumentedOperation] {
        auth + workspaces + members + apps + appModelConfig + workflows + apiKeys + modelProviders + plugins + toolProviders
            + usage + consoleTags + appSite + accountTimeZone + appAnnotations + appLogs + appStatistics
            + KnowledgeAPIDocumentation.datasetOperations(.console)
    }

    /// Which group of `buildRouter` a console route is in, which decides what is answered before the handler runs.
    enum Access {
        /// No token: setup, registration, sign-in, token refresh, activation.
        case open
        /// A signed-in account whatever its workspace (`AccountContext`); writes count against the console write budget.
        case account
        /// A member of the token's workspace (`WorkspaceContext`: 403 once no longer one); writes count against the
        /// console write budget (429).
        case member
        /// A member, outside the write budget (`GET|POST /workspaces/current`).
        case memberUnlimited
    }

    /// One console operation. Beyond what `DocumentedOperation` adds (401 for the token, 400 and 413 for a JSON body):
    /// 503 everywhere (the database or the rate limiter unavailable or busy), 403 for a workspace route, 429 for a write
    /// counted against the budget, and 400 for a UUID path parameter that is not one.
    static func operation(
        _ method: OpenAPI.HttpMethod, _ path: String, id: String, summary: String, description: String? = nil, tag: String,
        access: Access = .member, parameters: [OpenAPI.Parameter] = [], body: OpenAPI.Request? = nil,
        responses: OpenAPI.Response.Map, errors: [Int] = []
    ) -> DocumentedOperation {
        var statuses = errors + [503]
        switch access {
        case .open: break
        case .account: if method != .get { statuses.append(429) }
        case .member: statuses += method != .get ? [403, 429] : [403]
        case .memberUnlimited: statuses.append(403)
        }
        if parameters.contains(where: DocSchemas.isIDPath) { statuses.append(400) }
        return DocumentedOperation(
            method, prefix + path, id: "console." + id, summary: summary, description: description, tag: "Console: " + tag,
            security: access == .open ? .none : .consoleToken, parameters: parameters, body: body, responses: responses,
            errors: statuses
        )
    }
}

/// Schema pieces both the console's and the knowledge API's documentation use.
enum DocSchemas {
    /// A string that is one of `values` (or `null`, when `nullable`: the enum lists it too).
    static func enumeration(_ values: [String], nullable: Bool = false, description: String? = nil) -> JSONSchema {
        .string(
            nullable: nullable, description: description,
            allowedValues: values.map { AnyCodable($0) } + (nullable ? [AnyCodable(nilLiteral: ())] : [])
        )
    }

    /// A name or text the service trims and requires: 1 to `max` characters, not only white space.
    static func text(max: Int, description: String? = nil) -> JSONSchema {
        .string(description: description, minLength: 1, maxLength: max, pattern: "\\S")
    }

    /// A path parameter that must be a UUID (400 `invalid_param` otherwise).
    static func isIDPath(_ parameter: OpenAPI.Parameter) -> Bool {
        parameter.location == .path && parameter.name.hasSuffix("_id")
    }

    /// An e-mail address as `AccountRules.email` takes it: one `@`, a dotted domain, no inner white space (trimmed and
    /// lower-cased before use).
    static let email: JSONSchema = .string(
        description: "An e-mail address (trimmed and lower-cased)", maxLength: 254,
        pattern: "^\\s*[^@\\s]+@[^@\\s.][^@\\s]*\\.[^@\\s]*[^@\\s.]\\s*$"
    )

    /// A new password as `AccountRules.password` takes it.
    static let newPassword: JSONSchema = .string(
        description: "At least 8 characters with a letter and a digit; at most 72 bytes", minLength: 8, maxLength: 72,
        pattern: "^(?=.*[^\\W\\d_])(?=.*\\d)"
    )

    /// A string that may be `null`.
    static let nullableString: JSONSchema = JSONSchema.string.nullable
    /// A Unix time in seconds that may be `null`.
    static let nullableTimestamp: JSONSchema = JSONSchema.timestamp.nullable

    /// `{"zh_Hans", "en_US"}`: a text as Dify's console reads it.
    static let localized: JSONSchema = .object(properties: ["zh_Hans": .string, "en_US": .string])

    /// A JSON object of any shape.
    static let anyObject: JSONSchema = .object

    /// `{"result": "success"}` (`SuccessBody`).
    static var success: JSONSchema { APIComponents.success }

    /// An optional `page` query parameter (an integer, 1 or more; `page=` is read as absent, as `Request.queryInt` does).
    static var page: OpenAPI.Parameter {
        .query(
            "page", .integer(maximum: (Int(Int32.max), exclusive: false), minimum: (1, exclusive: false)), allowsEmpty: true,
            description: "The page, from 1 (default 1)"
        )
    }

    /// An optional `limit` query parameter: items per page, 1 to `max` (`limit=` is read as absent).
    static func limit(max: Int, default fallback: Int) -> OpenAPI.Parameter {
        .query(
            "limit", .integer(maximum: (max, exclusive: false), minimum: (1, exclusive: false)), allowsEmpty: true,
            description: "Items per page, 1 to \(max) (default \(fallback))"
        )
    }
}

extension DocSchemas {
    /// A request field the handler reads only when it has the type described, and otherwise ignores (or refuses by
    /// its own rules): any JSON value as far as the schema goes, its type in the description.
    static func lenient(_ description: String) -> JSONSchema {
        .fragment(required: false, description: description)
    }
}
