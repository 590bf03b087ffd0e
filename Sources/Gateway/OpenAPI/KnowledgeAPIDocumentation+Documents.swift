import OpenAPIKit

/// `DocumentsController`: documents from text or a file (both of Dify's spellings), their indexing, estimates, status,
/// names and source files.
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
                    description:
                        "Options as a JSON object in a string, e.g. `{\"process_rule\": {\"mode\": \"automatic\"}}`; on create also `doc_form` (`text_model`, `hierarchical_model` or `qa_model`) and `doc_language`, as create-by-text takes them"
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
            "doc_form": DocSchemas.enumeration(
                docForms, nullable: true,
                description: """
                    How its segments are made: the dataset's (fixed by its first document; another is 400), else `hierarchical_model` \
                    for a hierarchical rule, else `text_model`. `qa_model` needs the workspace's default LLM (400 \
                    `provider_not_initialize` without one)
                    """
            ).optional,
            "doc_language": .string(
                required: false, nullable: true, description: "The language of a qa_model document's pairs (default `English`)", minLength: 1,
                maxLength: 64
            ),
            "process_rule": processRuleRequest,
        ]
    )

    /// `TextBody` of update-by-text: a new name, text or rule, each optional.
    static let updateByTextBody: JSONSchema = .object(
        properties: [
            "name": DocSchemas.text(max: 255).nullable.optional,
            "text": .string(required: false, nullable: true, description: "New text, re-indexed"),
            "indexing_technique": .string(required: false, nullable: true, description: "Accepted and ignored"),
            "doc_form": .string(required: false, nullable: true, description: "Accepted and ignored: a document keeps its form"),
            "doc_language": .string(required: false, nullable: true, description: "Accepted and ignored"),
            "process_rule": processRuleRequest.with(description: "A new rule; `hierarchical` only for a hierarchical_model document (400 otherwise)"),
        ]
    )

    static let documentIDsBody: JSONSchema = .object(
        properties: ["document_ids": .array(minItems: 1, items: .uuid)]
    )

    /// `DocumentsController.EstimateBody`: the text (or Dify's `info_list.text_list`) and how it would be indexed.
    static let estimateBody: JSONSchema = .object(
        properties: [
            "text": .string(required: false, nullable: true, description: "The text; required unless `info_list.text_list` gives it"),
            "info_list": DocSchemas.lenient(
                "Dify's console: an object whose `text_list` (strings) is read, joined by blank lines, when `text` is absent"
            ),
            "process_rule": processRuleRequest,
            "doc_form": DocSchemas.enumeration(
                docForms, nullable: true, description: "As create-by-text takes it; with `dataset_id`, the dataset's form must match"
            ).optional,
            "doc_language": .string(required: false, nullable: true, description: "For qa_model: the language of the pairs (default `English`)"),
            "dataset_id": JSONSchema.uuid.with(description: "A dataset whose form the estimate follows").nullable.optional,
        ]
    )

    /// `GET …/upload-file`: a document's source, with signed links to it (`GET /files/documents/{document_id}/file`).
    static let uploadFileLinks: JSONSchema = .object(
        properties: [
            "id": .uuid.with(description: "The document's own id"),
            "name": .string,
            "size": .integer(description: "In bytes"),
            "extension": .string,
            "mime_type": .string,
            "url": .string(description: "A signed link to the file, good for five minutes"),
            "download_url": .string(description: "The same link, answered as an attachment"),
            "created_by": DocSchemas.nullableString,
            "created_at": .number(description: "Unix time in seconds, with its fraction"),
        ]
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
                    summary: "Add a document from text",
                    description: "Queued for indexing at once; the body may be up to 16 MiB. 400 for a `doc_form` other than the dataset's",
                    tag: tag, parameters: [datasetIDParameter], body: jsonBody(createByTextBody),
                    responses: [200: .json("The new document and its batch", documentAndBatch)], errors: [403, 404]
                )
            )
        }
        for (spelling, suffix) in [("create-by-file", ""), ("create_by_file", "Underscored")] {
            operations.append(
                mount.operation(
                    .post, "/datasets/{dataset_id}/document/" + spelling, id: "documents.createByFile" + suffix,
                    summary: "Add a document from a file",
                    description: "Queued for indexing at once. 400 for a `doc_form` other than the dataset's", tag: tag,
                    parameters: [datasetIDParameter], body: documentUpload,
                    responses: [200: .json("The new document and its batch", documentAndBatch)], errors: [400, 403, 404, 413, 415]
                )
            )
        }
        for (spelling, suffix) in [("update-by-text", ""), ("update_by_text", "Underscored")] {
            operations.append(
                mount.operation(
                    .post, "/datasets/{dataset_id}/documents/{document_id}/" + spelling, id: "documents.updateByText" + suffix,
                    summary: "Replace a document's text, name or rule",
                    description: "New text or a new rule re-indexes it; 403 `archived_document_immutable` for an archived document",
                    tag: tag, parameters: both, body: jsonBody(updateByTextBody),
                    responses: [200: .json("The document and its batch", documentAndBatch)], errors: [403, 404]
                )
            )
        }
        // Dify's knowledge API also takes a new file as a PATCH of the document.
        for (method, spelling, suffix) in [
            (OpenAPI.HttpMethod.post, "/update-by-file", ""), (.post, "/update_by_file", "Underscored"), (.patch, "", "Patch"),
        ] {
            operations.append(
                mount.operation(
                    method, "/datasets/{dataset_id}/documents/{document_id}" + spelling, id: "documents.updateByFile" + suffix,
                    summary: "Replace a document with a file",
                    description: "Re-indexed; it takes the file's name. 403 `archived_document_immutable` for an archived document", tag: tag,
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
                    .query(
                        "status",
                        description: """
                            Only documents of this `display_status` (`queuing`, `indexing`, `paused`, `error`, `available`, \
                            `disabled`, `archived`; `active` and `enabled` for `available`); any other value does not filter
                            """
                    ),
                ],
                responses: [200: .json("A page of documents", APIComponents.page(of: document))], errors: [403, 404]
            ),
            mount.operation(
                .get, "/datasets/{dataset_id}/documents/{document_id}", id: "documents.get", summary: "One document", tag: tag,
                parameters: both + [
                    .query(
                        "metadata", DocSchemas.enumeration(["all", "only", "without"]),
                        description:
                            "`all` (the default): the document with its metadata; `only`: its id, type and metadata; `without`: the document without its type and metadata. Any other value is 400 `invalid_metadata`"
                    )
                ],
                responses: [200: .json("The document", documentDetail)], errors: [403, 404]
            ),
            mount.operation(
                .delete, "/datasets/{dataset_id}/documents/{document_id}", id: "documents.delete",
                summary: "Delete a document and its segments", description: "403 `archived_document_immutable` for an archived document",
                tag: tag, parameters: both, responses: [204: .noContent()], errors: [403, 404]
            ),
            mount.operation(
                .get, "/datasets/{dataset_id}/documents/{document_id}/upload-file", id: "documents.uploadFile",
                summary: "A document's source file, with signed links to it", tag: tag, parameters: both,
                responses: [200: .json("The file", uploadFileLinks)], errors: [403, 404]
            ),
            mount.operation(
                .get, "/datasets/{dataset_id}/documents/{document_id}/download", id: "documents.download",
                summary: "A signed link that downloads a document's source file", description: "Good for five minutes; needs no key",
                tag: tag, parameters: both,
                responses: [200: .json("The link", .object(properties: ["url": .string]))], errors: [403, 404]
            ),
            mount.operation(
                .post, "/datasets/{dataset_id}/documents/download-zip", id: "documents.downloadZip",
                summary: "Download documents' source files as one ZIP archive",
                description: "Each file under its document's name (numbered when two share one); 404 for a document not in the dataset",
                tag: tag, parameters: [datasetIDParameter],
                body: jsonBody(.object(properties: ["document_ids": .array(minItems: 1, maxItems: 100, items: .uuid)])),
                responses: [200: .content("The archive (`Content-Disposition: attachment; filename=\"documents.zip\"`)", .zip)],
                errors: [403, 404]
            ),
            mount.operation(
                .post, "/datasets/indexing-estimate", id: "documents.estimate", summary: "What indexing a text would make",
                description: """
                    Cleans and splits the text as a document of that form and rule would be, and answers how many segments and \
                    the first of them. For qa_model the workspace's default LLM writes the first chunk's pairs: without one 400 \
                    `provider_not_initialize`, and an upstream failure 400 (`completion_request_error`) or, through a plugin, 502, \
                    503 or 504
                    """,
                tag: tag, body: jsonBody(estimateBody),
                responses: [200: .json("The estimate", indexingEstimate)], errors: [403, 404, 502, 504]
            ),
            mount.operation(
                .get, "/datasets/{dataset_id}/documents/{document_id}/indexing-estimate", id: "documents.indexingEstimate",
                summary: "What indexing a document's source would make, by its own form and rule",
                description: "As `POST /datasets/indexing-estimate`; a qa_model document needs the workspace's default LLM",
                tag: tag, parameters: both, responses: [200: .json("The estimate", indexingEstimate)], errors: [403, 404, 502, 504]
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
                description: "403 `archived_document_immutable` for an archived document", tag: tag, parameters: both,
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
                .patch, "/datasets/{dataset_id}/documents/status/{action}", id: "documents.status",
                summary: "Enable, disable, archive or un-archive documents",
                description: """
                    The documents are the `document_id` query parameters (Dify's console), or when there are none the body's \
                    `document_ids` (its knowledge API): without either, 400. All or none: 404 for a document not in the dataset, \
                    400 `invalid_action` for disabling one not yet indexed, 403 `archived_document_immutable` for enabling or \
                    disabling an archived one. A document already so is left as it is.
                    """,
                tag: tag,
                parameters: [
                    datasetIDParameter,
                    .path(
                        name: "action", schema: DocSchemas.enumeration(["enable", "disable", "archive", "un_archive"]),
                        description: "Any other is 400 `invalid_action`"
                    ),
                    .query("document_id", .array(items: .uuid), description: "The documents (repeat the parameter)"),
                ],
                body: jsonBody(documentIDsBody, required: false, description: "Read only when no `document_id` parameter is given"),
                responses: [200: .json("Done", DocSchemas.success)], errors: [400, 403, 404]
            ),
        ]
        return operations
    }
}
