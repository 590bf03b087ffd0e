import OpenAPIKit

/// `DocumentsController`: documents from text or a file (both of Dify's spellings), their indexing, status and names.
extension KnowledgeAPIDocumentation {
    /// The multipart form of a document upload (`DocumentsController.fileUpload`).
    static let documentUpload: OpenAPI.Request = multipartBody(
        .object(
            properties: [
                "file": JSONSchema.binaryFile.with(
                    description: "The document: .txt, .md, .markdown, .html, .htm, .csv, .json, .pdf or .docx, its content matching its extension"
                ),
                "data": .string(
                    required: false,
                    description: "Options as a JSON object in a string, e.g. `{\"process_rule\": {\"mode\": \"automatic\"}}`"
                ),
                "process_rule": .string(required: false, description: "The seed's spelling: the process rule alone, as JSON in a string"),
            ]
        ),
        description: "One file in the field `file`; 413 beyond the size limit, 415 for another type or content not matching the extension"
    )

    /// `TextBody` of create-by-text: `name` and `text` required.
    static let createByTextBody: JSONSchema = .object(
        properties: [
            "name": DocSchemas.text(max: 255, description: "The document's name"),
            "text": .string(description: "The document's text", minLength: 1),
            "indexing_technique": .string(required: false, nullable: true, description: "Accepted and ignored: the dataset's technique applies"),
            "doc_form": .string(required: false, nullable: true, description: "Accepted and ignored: documents are `text_model`"),
            "process_rule": processRuleRequest,
        ]
    )

    /// `TextBody` of update-by-text: a new name, text or rule, each optional.
    static let updateByTextBody: JSONSchema = .object(
        properties: [
            "name": DocSchemas.text(max: 255).nullable.optional,
            "text": .string(required: false, nullable: true, description: "New text, re-indexed"),
            "indexing_technique": .string(required: false, nullable: true, description: "Accepted and ignored"),
            "doc_form": .string(required: false, nullable: true, description: "Accepted and ignored"),
            "process_rule": processRuleRequest,
        ]
    )

    static let documentIDsBody: JSONSchema = .object(
        properties: ["document_ids": .array(minItems: 1, items: .uuid)]
    )

    static func documents(_ mount: DatasetMount) -> [DocumentedOperation] {
        let tag = "Documents"
        let document = Self.document
        let both = [datasetIDParameter, documentIDParameter]
        var operations: [DocumentedOperation] = []
        for (spelling, suffix) in [("create-by-text", ""), ("create_by_text", "Underscored")] {
            operations.append(
                mount.operation(
                    .post, "/datasets/{dataset_id}/document/" + spelling, id: "documents.createByText" + suffix,
                    summary: "Add a document from text", description: "Queued for indexing at once; the body may be up to 16 MiB",
                    tag: tag, parameters: [datasetIDParameter], body: jsonBody(createByTextBody),
                    responses: [200: .json("The new document and its batch", documentAndBatch)], errors: [403, 404]
                )
            )
        }
        for (spelling, suffix) in [("create-by-file", ""), ("create_by_file", "Underscored")] {
            operations.append(
                mount.operation(
                    .post, "/datasets/{dataset_id}/document/" + spelling, id: "documents.createByFile" + suffix,
                    summary: "Add a document from a file", description: "Queued for indexing at once", tag: tag,
                    parameters: [datasetIDParameter], body: documentUpload,
                    responses: [200: .json("The new document and its batch", documentAndBatch)], errors: [400, 403, 404, 413, 415]
                )
            )
        }
        for (spelling, suffix) in [("update-by-text", ""), ("update_by_text", "Underscored")] {
            operations.append(
                mount.operation(
                    .post, "/datasets/{dataset_id}/documents/{document_id}/" + spelling, id: "documents.updateByText" + suffix,
                    summary: "Replace a document's text, name or rule", description: "New text or a new rule re-indexes it",
                    tag: tag, parameters: both, body: jsonBody(updateByTextBody),
                    responses: [200: .json("The document and its batch", documentAndBatch)], errors: [403, 404]
                )
            )
        }
        for (spelling, suffix) in [("update-by-file", ""), ("update_by_file", "Underscored")] {
            operations.append(
                mount.operation(
                    .post, "/datasets/{dataset_id}/documents/{document_id}/" + spelling, id: "documents.updateByFile" + suffix,
                    summary: "Replace a document with a file", description: "Re-indexed; it takes the file's name", tag: tag,
                    parameters: both, body: documentUpload,
                    responses: [200: .json("The document and its batch", documentAndBatch)], errors: [400, 403, 404, 413, 415]
                )
            )
        }
        operations += [
            mount.operation(
                .get, "/datasets/{dataset_id}/documents", id: "documents.list", summary: "List a dataset's documents", tag: tag,
                parameters: [
                    datasetIDParameter, DocSchemas.page, DocSchemas.limit(max: 100, default: 20),
                    .query("keyword", description: "Only documents whose name contains it"),
                ],
                responses: [200: .json("A page of documents", APIComponents.page(of: document))], errors: [403, 404]
            ),
            mount.operation(
                .get, "/datasets/{dataset_id}/documents/{document_id}", id: "documents.get", summary: "One document", tag: tag,
                parameters: both, responses: [200: .json("The document", document)], errors: [403, 404]
            ),
            mount.operation(
                .delete, "/datasets/{dataset_id}/documents/{document_id}", id: "documents.delete",
                summary: "Delete a document and its segments", tag: tag, parameters: both, responses: [204: .noContent()],
                errors: [403, 404]
            ),
            mount.operation(
                .get, "/datasets/{dataset_id}/documents/{document_id}/indexing-status", id: "documents.indexingStatus",
                summary: "Where the indexing of a batch (or one document) stands", tag: tag,
                parameters: [
                    datasetIDParameter,
                    .pathString("document_id", description: "The upload's `batch` (Dify's path), or a document's id"),
                ],
                responses: [
                    200: .json("Each document of the batch", .object(properties: ["data": .array(items: indexingStatus)]))
                ],
                errors: [403, 404]
            ),
            mount.operation(
                .post, "/datasets/{dataset_id}/documents/{document_id}/rename", id: "documents.rename", summary: "Rename a document",
                tag: tag, parameters: both,
                body: jsonBody(.object(properties: ["name": DocSchemas.text(max: 255, description: "Missing or `null` is refused as empty")])),
                responses: [200: .json("The document renamed", document)], errors: [403, 404]
            ),
            mount.operation(
                .patch, "/datasets/{dataset_id}/documents/{document_id}/processing/{action}", id: "documents.processing",
                summary: "Pause or resume a document's indexing", description: "400 when it is in no state to (e.g. already indexed)",
                tag: tag,
                parameters: both + [.path(name: "action", schema: DocSchemas.enumeration(["pause", "resume"]), description: "Any other is 404")],
                responses: [
                    200: .json("The document", .object(properties: ["result": DocSchemas.enumeration(["success"]), "document": document]))
                ],
                errors: [400, 403, 404]
            ),
            mount.operation(
                .post, "/datasets/{dataset_id}/retry", id: "documents.retry", summary: "Index failed or stopped documents again",
                tag: tag, parameters: [datasetIDParameter], body: jsonBody(documentIDsBody),
                responses: [200: .json("Queued again", DocSchemas.success)], errors: [403, 404]
            ),
            mount.operation(
                .patch, "/datasets/{dataset_id}/documents/status/{action}", id: "documents.status", summary: "Enable or disable documents",
                description: """
                    The documents are the `document_id` query parameters (Dify's console), or when there are none the body's \
                    `document_ids` (its knowledge API): without either, 400.
                    """,
                tag: tag,
                parameters: [
                    datasetIDParameter,
                    .path(name: "action", schema: DocSchemas.enumeration(["enable", "disable"]), description: "Any other is 404"),
                    .query("document_id", .array(items: .uuid), description: "The documents (repeat the parameter)"),
                ],
                body: jsonBody(documentIDsBody, required: false, description: "Read only when no `document_id` parameter is given"),
                responses: [200: .json("Done", DocSchemas.success)], errors: [400, 403, 404]
            ),
        ]
        return operations
    }
}
