import OpenAPIKit

/// The knowledge API: the dataset routes (`addDatasetRoutes`: datasets, documents, segments, child chunks, metadata,
/// tags, the workspace's models by type) under `/v1` and `/api`, for dataset keys. The console mounts the same
/// handlers, so each operation is written once, in the extension files, as a function of its `DatasetMount`;
/// `ConsoleAPIDocumentation` takes them with `.console`. The signed links to documents' files
/// (`GET /files/documents/{document_id}/file`) are at the root, with the other routes outside the API prefixes, in
/// `OperatorAPIDocumentation`.
enum KnowledgeAPIDocumentation {
    static var operations: [DocumentedOperation] {
        datasetOperations(.v1) + datasetOperations(.api)
    }

    /// Every operation of `addDatasetRoutes` as mounted at `mount`.
    static func datasetOperations(_ mount: DatasetMount) -> [DocumentedOperation] {
        datasets(mount) + documents(mount) + segments(mount) + childChunks(mount) + metadata(mount) + tags(mount) + workspaceModels(mount)
    }
}

/// Where the dataset routes are mounted, and what that changes: the prefix, who is asking, the operation ids and tags.
struct DatasetMount {
    let prefix: String
    let security: APISecurity
    /// The start of every operation id under this mount (`console`, `knowledge.v1`).
    let idPrefix: String
    /// The start of every tag under this mount (`Console`, `Knowledge`).
    let tagPrefix: String
    /// A console member (`WorkspaceContext`), rather than a dataset key (`KnowledgeContext`).
    let isConsole: Bool

    static let console = DatasetMount(
        prefix: ConsoleAPIDocumentation.prefix, security: .consoleToken, idPrefix: "console", tagPrefix: "Console", isConsole: true
    )
    static let v1 = DatasetMount(prefix: "/v1", security: .datasetKey, idPrefix: "knowledge.v1", tagPrefix: "Knowledge", isConsole: false)
    static let api = DatasetMount(prefix: "/api", security: .datasetKey, idPrefix: "knowledge.api", tagPrefix: "Knowledge", isConsole: false)

    /// One dataset operation under this mount (`path` without the prefix). Beyond what `DocumentedOperation` adds for the
    /// security and a JSON body: 503 everywhere; on the console 403 (not a member of the workspace any more, or a role
    /// that may not) and 429 for a write; 400 for a UUID path parameter that is not one.
    func operation(
        _ method: OpenAPI.HttpMethod, _ path: String, id: String, summary: String, description: String? = nil, tag: String,
        parameters: [OpenAPI.Parameter] = [], body: OpenAPI.Request? = nil, responses: OpenAPI.Response.Map, errors: [Int] = []
    ) -> DocumentedOperation {
        var statuses = errors + [503]
        if isConsole { statuses += method != .get ? [403, 429] : [403] }
        if parameters.contains(where: DocSchemas.isIDPath) { statuses.append(400) }
        return DocumentedOperation(
            method, prefix + path, id: idPrefix + "." + id, summary: summary, description: description, tag: tagPrefix + ": " + tag,
            security: security, parameters: parameters, body: body, responses: responses, errors: statuses
        )
    }
}
