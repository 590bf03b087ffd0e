import OpenAPIKit

/// The operator API (`/admin/api`: plans, and which plan each workspace is on), the health route, the document's
/// own routes, and the other routes at the root (web pages, signed links to documents' files).
enum OperatorAPIDocumentation {
    static var operations: [DocumentedOperation] {
        planOperations + workspaceOperations + [statusOperation] + serverOperations + pageOperations + [documentFileOperation]
    }

    // MARK: Plans

    static var planOperations: [DocumentedOperation] {
        [
            DocumentedOperation(
                .get, "/admin/api/plans", id: "listPlans", summary: "Every plan and its limits", tag: "Operator",
                security: .adminKey, responses: [200: .json("The plans", .object(properties: ["data": .array(items: plan)]))]
            ),
            DocumentedOperation(
                .put, "/admin/api/plans/{name}", id: "definePlan",
                summary: "Create a plan, or change some of its limits (limits not named keep their value; 0 is unlimited)",
                tag: "Operator", security: .adminKey,
                parameters: [
                    .path(
                        name: "name", schema: .string(minLength: 1, maxLength: 40, pattern: "^[A-Za-z0-9_-]+$"),
                        description: "Letters, digits, `-` and `_`"
                    )
                ],
                body: jsonBody(.object(properties: ["limits": limitsChange])),
                responses: [200: .json("The plan", plan)],
                errors: [400]
            ),
        ]
    }

    /// The name of every limit a plan sets, as `PlanLimits.keys` lists them.
    static let limitNames = [
        "rpm", "rph", "rpd", "members", "apps", "documents", "vector_space", "message_credits", "max_active_requests", "file_storage",
    ]

    /// Every limit by name; 0 means unlimited.
    static let limits: JSONSchema = .object(
        description: "Every limit by name; 0 means unlimited",
        properties: limitNames.reduce(into: [:]) { $0[$1] = JSONSchema.integer }
    )

    /// The largest limit a request may set: integers beyond 2^53 do not survive JSON (`JSONInteger`).
    static let maxLimit = 9_007_199_254_740_991

    /// Some limits by name, each a non-negative integer.
    static let limitsChange: JSONSchema = .object(
        description:
            "Limits by name (`rpm`, `rph`, `rpd`, `members`, `apps`, `documents`, `vector_space`, `message_credits`, `max_active_requests`, `file_storage`)",
        properties: limitNames.reduce(into: [:]) { $0[$1] = JSONSchema.integer(from: 0, to: maxLimit).optional },
        additionalProperties: .a(false)
    )

    static let plan: JSONSchema = .object(properties: ["name": .string, "limits": limits])

    // MARK: Workspaces

    static var workspaceOperations: [DocumentedOperation] {
        let assignment = jsonBody(
            .object(
                properties: [
                    "plan": .string(description: "The plan's name"),
                    "overrides": limitsChange.optionalSchemaObject().with(description: "Limits of this workspace that differ from its plan's"),
                ]
            )
        )
        let workspaceHeader = OpenAPI.Parameter.header(
            "X-WORKSPACE-ID", .uuid, required: true, description: "The workspace, as Dify's admin key names it"
        )
        return [
            DocumentedOperation(
                .put, "/admin/api/workspace/plan", id: "assignPlanByHeader",
                summary: "Put the workspace named in `X-WORKSPACE-ID` on a plan, replacing its overrides", tag: "Operator",
                security: .adminKey, parameters: [workspaceHeader], body: assignment,
                responses: [200: .json("The workspace's usage on its new plan", usageReport)],
                // 404: no such plan or workspace.
                errors: [400, 404]
            ),
            DocumentedOperation(
                .put, "/admin/api/workspaces/{workspace_id}/plan", id: "assignPlan",
                summary: "Put a workspace on a plan, replacing its overrides", tag: "Operator", security: .adminKey,
                parameters: [.pathID("workspace_id")], body: assignment,
                responses: [200: .json("The workspace's usage on its new plan", usageReport)],
                errors: [400, 404]
            ),
            DocumentedOperation(
                .get, "/admin/api/workspace/usage", id: "getUsageByHeader",
                summary: "The plan, limits and usage of the workspace named in `X-WORKSPACE-ID`", tag: "Operator",
                security: .adminKey, parameters: [workspaceHeader],
                responses: [200: .json("The workspace's usage", usageReport)],
                errors: [400, 404]
            ),
            DocumentedOperation(
                .get, "/admin/api/workspaces/{workspace_id}/usage", id: "getUsage",
                summary: "A workspace's plan, limits and usage", tag: "Operator", security: .adminKey,
                parameters: [.pathID("workspace_id")],
                responses: [200: .json("The workspace's usage", usageReport)],
                errors: [400, 404]
            ),
        ]
    }

    /// `UsageReport`, the same answer as the console's `GET /console/api/workspaces/current/usage`: documented once.
    static var usageReport: JSONSchema { ConsoleAPIDocumentation.usageReport }

    // MARK: Status

    static var statusOperation: DocumentedOperation {
        let series: OrderedDictionary<String, JSONSchema> = [
            "timestamps": .array(items: .timestamp), "requests_per_second": .array(items: .number),
            "p50_ms": .array(items: .number), "p95_ms": .array(items: .number), "p99_ms": .array(items: .number),
            "error_rate": .array(description: "Fractions of each step's requests answered 5xx", items: .number),
            "client_error_rate": .array(description: "Fractions of each step's requests answered 4xx", items: .number),
            "input_tokens": .array(items: .integer), "output_tokens": .array(items: .integer),
        ]
        return DocumentedOperation(
            .get, "/admin/api/status", id: "getStatus",
            summary: "The last hour of traffic step by step, the busiest workspaces, this instance's plugin processes and the job queue",
            tag: "Operator", security: .adminKey,
            responses: [
                200: .json(
                    "The status page's data",
                    .object(
                        properties: [
                            "window_seconds": .integer, "step_seconds": .integer, "series": .object(properties: series),
                            "busiest_workspaces": .array(
                                items: .object(properties: ["workspace_id": .uuid, "name": .string, "requests": .integer, "tokens": .integer])
                            ),
                            "plugins": .array(
                                items: .object(
                                    properties: [
                                        "install_id": .string, "plugin_id": .string, "workspace_id": .uuid, "sandbox_level": .string,
                                        "running": .boolean,
                                    ]
                                )
                            ),
                            "jobs": .object(properties: ["queued": .integer, "running": .integer, "failed": .integer]),
                        ]
                    )
                )
            ]
        )
    }

    // MARK: Health and this document

    static var serverOperations: [DocumentedOperation] {
        [
            DocumentedOperation(
                .get, "/metrics", id: "getMetrics", summary: "The server's instruments, in Prometheus' text format", tag: "Server",
                security: .metricsKey,
                responses: [200: .content("The metrics", .txt, .string(description: "Prometheus text exposition format 0.0.4"))]
            ),
            DocumentedOperation(
                .get, "/health", id: "getHealth", summary: "Liveness, the running version and the plugin sandbox", tag: "Server",
                security: .none,
                responses: [
                    200: .json(
                        "Relay is up",
                        .object(
                            properties: [
                                "status": .string(allowedValues: "ok"),
                                "version": .string,
                                "plugin_sandbox": .object(
                                    properties: [
                                        "minimum_level": .string,
                                        "lowest_active_level": .string(
                                            required: false, description: "The lowest level any running plugin has; absent before any ran"
                                        ),
                                        "processes_seen": .integer,
                                    ]
                                ),
                            ]
                        )
                    )
                ]
            ),
            DocumentedOperation(
                .get, "/openapi.json", id: "getOpenAPIDocument", summary: "This document, as JSON", tag: "Server", security: .none,
                responses: [200: .json("The OpenAPI 3.1 document", .object(description: "An OpenAPI 3.1 document"))]
            ),
            DocumentedOperation(
                .get, "/openapi.yaml", id: "getOpenAPIDocumentYAML", summary: "This document, as YAML", tag: "Server",
                security: .none,
                responses: [200: .content("The OpenAPI 3.1 document", .yaml, .object(description: "An OpenAPI 3.1 document"))]
            ),
        ]
    }

    // MARK: Signed links

    /// `DocumentFilesController`: a document's source through a link from `GET …/documents/{document_id}/upload-file`
    /// or `/download` (`DocumentFileLinks`). No key: the signature stands for the document's workspace.
    static var documentFileOperation: DocumentedOperation {
        let types: [OpenAPI.ContentType] = [
            .txt, OpenAPI.ContentType(rawValue: "text/markdown")!, .html, .csv, .json, .pdf, .docx,
        ]
        let content = types.reduce(into: OpenAPI.Content.Map()) { map, type in
            map[type] = .content(OpenAPI.Content(schema: .string))
        }
        let signed = "part of the signed link (403 when missing or altered)"
        return DocumentedOperation(
            .get, "/files/documents/{document_id}/file", id: "getDocumentFile", summary: "A document's source file, through a signed link",
            description: """
                The link's query is signed with a key derived from the server secret and is good for five minutes after its \
                `timestamp`, on every instance sharing the secret: a link missing a part, altered or expired answers 403. 404 \
                when the document (or its file) is gone. The file is answered with its type's media type, and with \
                `as_attachment=true` as an attachment (`Content-Disposition`) under the document's name.
                """,
            tag: "Knowledge: Documents", security: .none,
            parameters: [
                .pathID("document_id", description: "400 when not a UUID"),
                .query("workspace", .uuid, required: true, description: "The document's workspace; " + signed),
                .query("timestamp", required: true, description: "When the link was made, in Unix seconds; " + signed),
                .query("nonce", required: true, description: "Random, " + signed),
                .query("sign", required: true, description: "The signature (base64url, unpadded); " + signed),
                .query("as_attachment", description: "`true` to download it as an attachment; any other value shows it inline"),
            ],
            responses: [200: .b(OpenAPI.Response(description: "The file's bytes", content: content))],
            errors: [400, 403, 404, 503]
        )
    }

    // MARK: Web pages

    /// `/docs` (Swagger UI over this document) and `/admin` (the operator's status page): files built into the binary,
    /// with `ETag`s, so a client's current copy answers 304.
    static var pageOperations: [DocumentedOperation] {
        let javascript = OpenAPI.ContentType(rawValue: "text/javascript")!
        return [
            page("/docs", id: "getDocsPage", summary: "Swagger UI, reading `/openapi.json`"),
            file(
                "/docs/{file}", id: "getDocsFile", summary: "A file of the Swagger UI page", names: DocsController.files.keys.sorted(),
                types: [javascript, .css]
            ),
            page("/admin", id: "getAdminPage", summary: "The operator's status page (it asks for the operator key)"),
            file(
                "/admin/{file}", id: "getAdminFile", summary: "A file of the status page", names: AdminPageController.files.keys.sorted(),
                types: [javascript, .css]
            ),
        ]
    }

    private static let notModified: OpenAPI.Response = OpenAPI.Response(description: "The client's copy (`If-None-Match`) is current")

    private static func page(_ path: String, id: String, summary: String) -> DocumentedOperation {
        DocumentedOperation(
            .get, path, id: id, summary: summary, tag: "Pages", security: .none,
            responses: [200: .content("The page", .html), 304: .b(notModified)]
        )
    }

    private static func file(
        _ path: String, id: String, summary: String, names: [String], types: [OpenAPI.ContentType]
    ) -> DocumentedOperation {
        let content = types.reduce(into: OpenAPI.Content.Map()) { map, type in
            map[type] = .content(OpenAPI.Content(schema: .string))
        }
        return DocumentedOperation(
            .get, path, id: id, summary: summary, tag: "Pages", security: .none,
            parameters: [.path(name: "file", schema: .string(allowedValues: names.map { AnyCodable($0) }))],
            responses: [200: .b(OpenAPI.Response(description: "The file", content: content)), 304: .b(notModified)],
            errors: [404]
        )
    }
}
