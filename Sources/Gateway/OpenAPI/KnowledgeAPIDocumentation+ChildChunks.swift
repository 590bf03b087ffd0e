import OpenAPIKit

/// `ChildChunksController`: a parent segment's child chunks in a hierarchical_model document.
extension KnowledgeAPIDocumentation {
    static func childChunks(_ mount: DatasetMount) -> [DocumentedOperation] {
        let tag = "Child chunks"
        let path = "/datasets/{dataset_id}/documents/{document_id}/segments/{segment_id}/child_chunks"
        let ids = [datasetIDParameter, documentIDParameter, OpenAPI.Parameter.pathID("segment_id")]
        let withChild = ids + [OpenAPI.Parameter.pathID("child_chunk_id")]
        let contentBody = jsonBody(.object(properties: ["content": DocSchemas.text(max: 100_000, description: "The child's text")]))
        let one: JSONSchema = .object(properties: ["data": childChunk])
        let page: JSONSchema = .object(
            properties: [
                "data": .array(items: childChunk), "total": .integer, "total_pages": .integer, "page": .integer, "limit": .integer,
            ]
        )
        let embedded = """
            Embedded at once with the dataset's model when it is high_quality: an upstream failure answers 400 \
            (`completion_request_error`, `provider_not_initialize`) or, through a plugin, 502, 503 or 504. 403 \
            `archived_document_immutable` for an archived document
            """
        return [
            mount.operation(
                .get, path, id: "childChunks.list", summary: "List a segment's child chunks", tag: tag,
                parameters: ids + [
                    DocSchemas.page, DocSchemas.limit(max: 100, default: 20),
                    .query("keyword", description: "Only child chunks whose content contains it"),
                ],
                responses: [200: .json("A page of child chunks", page)], errors: [403, 404]
            ),
            mount.operation(
                .post, path, id: "childChunks.create", summary: "Add a child chunk to a segment",
                description: embedded + "; 403 when the plan's vector space is spent", tag: tag, parameters: ids, body: contentBody,
                responses: [200: .json("The new child chunk", one)], errors: [403, 404, 502, 504]
            ),
            mount.operation(
                .patch, path + "/{child_chunk_id}", id: "childChunks.update", summary: "Change a child chunk's content",
                description: embedded, tag: tag, parameters: withChild, body: contentBody,
                responses: [200: .json("The child chunk as changed", one)], errors: [403, 404, 502, 504]
            ),
            mount.operation(
                .delete, path + "/{child_chunk_id}", id: "childChunks.delete", summary: "Delete a child chunk",
                description: "403 `archived_document_immutable` for an archived document", tag: tag, parameters: withChild,
                responses: [204: .noContent()], errors: [403, 404]
            ),
        ]
    }
}
