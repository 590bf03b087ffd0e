import OpenAPIKit

/// `SegmentsController`: a document's segments.
extension KnowledgeAPIDocumentation {
    /// `SegmentBody`: every field optional (`content` is required of a new segment, 1 to 100000 characters);
    /// `regenerate_child_chunks` is read by an update only.
    static func segmentFields(updating: Bool) -> JSONSchema {
        var properties: OrderedDictionary<String, JSONSchema> = [
            "content": .string(required: false, nullable: true, description: "Required of a new segment; not empty", maxLength: 100_000),
            "answer": DocSchemas.nullableString.with(description: "Required (not empty) in a qa_model document").optional,
            "keywords": .array(required: false, nullable: true, items: .string),
            "enabled": .boolean(required: false, nullable: true),
        ]
        if updating {
            properties["regenerate_child_chunks"] = .boolean(
                required: false, nullable: true,
                description: """
                    In a hierarchical_model document, cut the segment's children again from its content (new content of a \
                    paragraph-mode document does so anyway); 400 in a full-doc one. Default `false`
                    """
            )
        }
        return .object(properties: properties)
    }

    static func segments(_ mount: DatasetMount) -> [DocumentedOperation] {
        let tag = "Segments"
        let path = "/datasets/{dataset_id}/documents/{document_id}/segments"
        let ids = [datasetIDParameter, documentIDParameter]
        let withSegment = ids + [OpenAPI.Parameter.pathID("segment_id")]
        let docForm = DocSchemas.enumeration(docForms, description: "The document's form")
        let one: JSONSchema = .object(properties: ["data": segment(), "doc_form": docForm])
        var page = APIComponents.page(of: segment())
        if case .object(let core, let object) = page.value {
            var properties = object.properties
            properties["doc_form"] = docForm
            page = .object(core, .init(properties: properties, additionalProperties: object.additionalProperties))
        }
        var operations = [
            mount.operation(
                .get, path + "/{segment_id}", id: "segments.get", summary: "One segment",
                description: "With its children in a paragraph-mode hierarchical_model document", tag: tag, parameters: withSegment,
                responses: [200: .json("The segment", one)], errors: [403, 404]
            ),
            mount.operation(
                .get, path, id: "segments.list", summary: "List a document's segments", tag: tag,
                parameters: ids + [
                    DocSchemas.page, DocSchemas.limit(max: 100, default: 20),
                    .query("keyword", description: "Only segments whose content contains it"),
                    .query("enabled", description: "`true`/`enabled` or `false`/`disabled` filters; any other value does not"),
                    .query("status", description: "Read as `enabled` when that is absent (Dify's console)"),
                ],
                responses: [200: .json("A page of segments", page)], errors: [403, 404]
            ),
            mount.operation(
                .post, path, id: "segments.create", summary: "Add segments to a document",
                description:
                    "Each is indexed at once (in a hierarchical_model document, cut into children); 400 while the document is being indexed, 403 `archived_document_immutable` for an archived one",
                tag: tag, parameters: ids,
                body: jsonBody(
                    .object(
                        properties: [
                            "segments": .array(
                                description: "At least one; each with `content`", minItems: 1, items: segmentFields(updating: false)
                            )
                        ]
                    )
                ),
                responses: [200: .json("The new segments", .object(properties: ["data": .array(items: segment()), "doc_form": docForm]))],
                errors: [403, 404]
            ),
        ]
        for (method, suffix) in [(OpenAPI.HttpMethod.post, ""), (.patch, "Patch")] {
            operations.append(
                mount.operation(
                    method, path + "/{segment_id}", id: "segments.update" + suffix, summary: "Change a segment",
                    description:
                        "Only the fields sent change; new content is indexed again at once. 403 `archived_document_immutable` for an archived document",
                    tag: tag, parameters: withSegment, body: jsonBody(.object(properties: ["segment": segmentFields(updating: true)])),
                    responses: [200: .json("The segment as changed", one)], errors: [403, 404]
                )
            )
        }
        operations += [
            mount.operation(
                .patch, path + "/{segment_id}/{action}", id: "segments.setEnabled", summary: "Enable or disable a segment", tag: tag,
                parameters: withSegment + [
                    .path(name: "action", schema: DocSchemas.enumeration(["enable", "disable"]), description: "Any other is 404")
                ],
                responses: [
                    200: .json("The segment", .object(properties: ["data": segment(), "result": DocSchemas.enumeration(["success"])]))
                ],
                errors: [403, 404]
            ),
            mount.operation(
                .delete, path + "/{segment_id}", id: "segments.delete", summary: "Delete a segment",
                description: "403 `archived_document_immutable` for an archived document", tag: tag, parameters: withSegment,
                responses: [204: .noContent()], errors: [403, 404]
            ),
        ]
        return operations
    }
}
