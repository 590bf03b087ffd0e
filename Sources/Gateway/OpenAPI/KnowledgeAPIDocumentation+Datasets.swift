import OpenAPIKit

/// `DatasetsController`: datasets and retrieval.
extension KnowledgeAPIDocumentation {
    /// `DatasetBody`: every field optional on PATCH; `name` required on POST.
    static func datasetBody(creating: Bool) -> JSONSchema {
        .object(
            properties: [
                "name": creating ? DocSchemas.text(max: 40) : DocSchemas.text(max: 40).nullable.optional,
                "description": .string(required: false, nullable: true, maxLength: 400),
                "indexing_technique": DocSchemas.enumeration(["high_quality", "economy"], nullable: true).optional,
                "permission": DocSchemas.enumeration(["only_me", "all_team_members", "partial_members"], nullable: true).optional,
                "embedding_model": .string(
                    required: false, nullable: true,
                    description: "A text-embedding model of the workspace; a high_quality dataset without one takes the default"
                ),
                "embedding_model_provider": DocSchemas.nullableString.optional,
                "retrieval_model": retrievalRequest,
                "partial_member_list": .array(
                    required: false, nullable: true,
                    description: "Who may see a `partial_members` dataset: account ids, or Dify's `{user_id, role}` objects",
                    items: .one(of: [.uuid, .object(properties: ["user_id": .uuid])])
                ),
            ]
        )
    }

    static func datasets(_ mount: DatasetMount) -> [DocumentedOperation] {
        let tag = "Datasets"
        let retrieveBody = jsonBody(
            .object(
                properties: [
                    "query": DocSchemas.text(max: 10_000, description: "What to search for"),
                    "retrieval_model": searchRetrievalRequest,
                ]
            )
        )
        let retrieved: JSONSchema = .object(
            properties: ["query": .object(properties: ["content": .string]), "records": .array(items: record)]
        )
        // Dify's knowledge API answers a new dataset with 200, its console with 201.
        let created: OpenAPI.Response.StatusCode = mount.isConsole ? 201 : 200
        var operations = [
            mount.operation(
                .get, "/datasets", id: "datasets.list", summary: "List datasets", tag: tag,
                parameters: [
                    DocSchemas.page, DocSchemas.limit(max: 100, default: 20),
                    .query("keyword", description: "Only datasets whose name contains it"),
                    .query("ids", .array(maxItems: 100, items: .uuid), description: "Only these datasets (repeat the parameter)"),
                    .query("tag_ids", .array(maxItems: 100, items: .uuid), description: "Only datasets with these tags (repeat the parameter)"),
                ],
                responses: [200: .json("A page of datasets", APIComponents.page(of: dataset))], errors: [400]
            ),
            mount.operation(
                .post, "/datasets", id: "datasets.create", summary: "Create a dataset",
                description: "403 for a member below editor, or when the plan allows no more; 400 for an embedding model the workspace cannot use",
                tag: tag, body: jsonBody(datasetBody(creating: true)),
                responses: [created: .json("The new dataset", dataset)], errors: [403]
            ),
            mount.operation(
                .get, "/datasets/{dataset_id}", id: "datasets.get", summary: "One dataset", tag: tag, parameters: [datasetIDParameter],
                responses: [200: .json("The dataset", dataset)], errors: [403, 404]
            ),
            mount.operation(
                .patch, "/datasets/{dataset_id}", id: "datasets.update", summary: "Change a dataset",
                description: "Only the fields sent change; the indexing technique of a dataset with documents cannot", tag: tag,
                parameters: [datasetIDParameter], body: jsonBody(datasetBody(creating: false)),
                responses: [200: .json("The dataset as changed", dataset)], errors: [403, 404]
            ),
            mount.operation(
                .delete, "/datasets/{dataset_id}", id: "datasets.delete", summary: "Delete a dataset, its documents and segments",
                tag: tag, parameters: [datasetIDParameter], responses: [204: .noContent()], errors: [403, 404]
            ),
        ]
        for (path, id, summary) in [
            ("retrieve", "datasets.retrieve", "Search a dataset"),
            ("hit-testing", "datasets.hitTesting", "Search a dataset (the console's name: hit testing)"),
        ] {
            operations.append(
                mount.operation(
                    .post, "/datasets/{dataset_id}/" + path, id: id, summary: summary,
                    description:
                        "Embeds the query with the dataset's model (and reranks) when its search needs to: an upstream failure answers 400 (`completion_request_error`, `provider_not_initialize`) or, through a plugin, 502, 503 or 504. `retrieval_model.metadata_filtering_conditions` keeps to the documents whose metadata pass (400 for a malformed one)",
                    tag: tag, parameters: [datasetIDParameter], body: retrieveBody,
                    responses: [200: .json("The segments found, best first", retrieved)], errors: [403, 404, 429, 502, 504]
                )
            )
        }
        return operations
    }
}
