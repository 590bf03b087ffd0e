import OpenAPIKit

/// The bodies `DatasetJSON` renders (datasets, documents, segments, child chunks, tags, metadata, retrieval records,
/// estimates) and the request pieces the dataset routes share.
extension KnowledgeAPIDocumentation {
    static let searchMethods = ["semantic_search", "full_text_search", "hybrid_search", "keyword_search"]
    static let documentStatuses = ["waiting", "parsing", "cleaning", "splitting", "indexing", "completed", "error", "paused"]
    /// `DocumentForm`: how a document's segments are made, fixed for a dataset by its first document.
    static let docForms = ["text_model", "hierarchical_model", "qa_model"]
    /// `DocumentDisplayStatus`: what the console shows for a document.
    static let displayStatuses = ["queuing", "indexing", "paused", "error", "available", "disabled", "archived"]
    /// `MetadataField.ValueType`.
    static let metadataTypes = ["string", "number", "time"]

    /// `DatasetJSON.retrieval`: a dataset's search settings.
    static let retrievalSettings: JSONSchema = .object(
        properties: [
            "search_method": DocSchemas.enumeration(searchMethods),
            "reranking_enable": .boolean,
            "reranking_model": .object(properties: ["reranking_provider_name": .string, "reranking_model_name": .string]),
            "weights": .object(properties: ["semantic_weight": .number, "keyword_weight": .number]),
            "top_k": .integer,
            "score_threshold_enabled": .boolean,
            "score_threshold": .number,
        ]
    )

    /// A tag as a dataset shows it; listed tags (`counted`) add `binding_count`, a string as in Dify.
    static func tag(counted: Bool) -> JSONSchema {
        var properties: OrderedDictionary<String, JSONSchema> = [
            "id": .uuid, "name": .string, "type": DocSchemas.enumeration(["knowledge"]),
        ]
        if counted { properties["binding_count"] = .string(description: "How many datasets carry it, as a decimal string") }
        return .object(properties: properties)
    }

    /// `DatasetJSON.dataset`.
    static let dataset: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "name": .string,
            "description": .string,
            "provider": DocSchemas.enumeration(["vendor"]),
            "permission": DocSchemas.enumeration(["only_me", "all_team_members", "partial_members"]),
            "data_source_type": .string(nullable: true, description: "`upload_file` once it has documents, `null` before"),
            "indexing_technique": DocSchemas.enumeration(["high_quality", "economy"]),
            "app_count": .integer,
            "document_count": .integer,
            "word_count": .integer,
            "created_by": .string(nullable: true, description: "The creator's account id; `null` when a key created it"),
            "created_at": .timestamp,
            "updated_at": .timestamp,
            "embedding_model": DocSchemas.nullableString,
            "embedding_model_provider": DocSchemas.nullableString,
            "embedding_available": .boolean,
            "retrieval_model_dict": retrievalSettings,
            "tags": .array(items: tag(counted: false)),
            "partial_member_list": .array(description: "Account ids of the members who may see it", items: .string),
            "author_name": .null(),
            "updated_by": .string(nullable: true, description: "Who changed it last (its creator until then); `null` when a key did"),
            "doc_form": DocSchemas.enumeration(docForms, nullable: true, description: "Fixed by its first document; `null` before"),
            "doc_metadata": .array(
                description: "Its metadata fields, then the built-in ones (id `built-in`) when switched on", items: datasetMetadataField
            ),
            "built_in_field_enabled": .boolean,
            "external_knowledge_info": .object(
                description: "Always `null`s: Relay has no external knowledge",
                properties: [
                    "external_knowledge_id": .null(), "external_knowledge_api_id": .null(), "external_knowledge_api_name": .null(),
                    "external_knowledge_api_endpoint": .null(),
                ]
            ),
            "external_retrieval_model": .object(
                description: "Dify's defaults, unused",
                properties: ["top_k": .integer, "score_threshold": .number, "score_threshold_enabled": .boolean]
            ),
            "pipeline_id": .null(),
            "runtime_mode": DocSchemas.enumeration(["general"]),
            "chunk_structure": .null(),
            "icon_info": .null(),
            "is_published": .boolean(description: "Always `false`"),
            "total_documents": .integer,
            "total_available_documents": .integer(description: "Indexed, enabled and not archived"),
            "enable_api": .boolean(description: "Always `true`"),
            "is_multimodal": .boolean(description: "Always `false`"),
            "summary_index_setting": .null(),
        ]
    )

    /// A field as a dataset lists it (`DatasetJSON.datasetMetadata`, `metadataField`): `id` is `built-in` for the
    /// built-in ones.
    static let datasetMetadataField: JSONSchema = .object(
        properties: [
            "id": .string(description: "The field's id, or `built-in`"), "name": .string, "type": DocSchemas.enumeration(metadataTypes),
        ]
    )

    /// `DatasetJSON.metadataField`: a dataset's own field.
    static let metadataField: JSONSchema = .object(
        properties: ["id": .uuid, "name": .string, "type": DocSchemas.enumeration(metadataTypes)]
    )

    /// A document's value of one field (`DocumentMetadataView.values`): its dataset's fields that have one, then the
    /// built-in ones (id `built-in`) when the dataset shows them.
    static let documentMetadataValue: JSONSchema = .object(
        properties: [
            "id": .string(description: "The field's id, or `built-in`"),
            "name": .string,
            "type": DocSchemas.enumeration(metadataTypes),
            "value": .one(
                of: [.string, .number, .null()],
                core: .init(description: "Text, a number, or a time in seconds since 1970; `null` for a built-in field without one")
            ),
        ]
    )

    /// `DatasetJSON.processRule`; a hierarchical rule's `rules` add `parent_mode` and `subchunk_segmentation`.
    static let processRule: JSONSchema = {
        let segmentation: JSONSchema = .object(properties: ["separator": .string, "max_tokens": .integer, "chunk_overlap": .integer])
        return .object(
            properties: [
                "mode": DocSchemas.enumeration(["automatic", "custom", "hierarchical"]),
                "rules": .object(
                    properties: [
                        "pre_processing_rules": .array(items: .object(properties: ["id": .string, "enabled": .boolean])),
                        "segmentation": segmentation,
                        "parent_mode": DocSchemas.enumeration(["paragraph", "full-doc"], nullable: true, description: "Hierarchical rules only")
                            .optional,
                        "subchunk_segmentation": segmentation.with(description: "Hierarchical rules only: how parents are cut into children")
                            .nullable.optional,
                    ]
                ),
            ]
        )
    }()

    /// `DatasetJSON.document`.
    static let document: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "position": .integer,
            "name": .string,
            "data_source_type": .string,
            "data_source_info": .object(
                properties: ["upload_file_id": .uuid.with(description: "The document's own id"), "upload_file_name": .string]
            ),
            "data_source_detail_dict": .object(properties: ["upload_file": uploadFile]),
            "dataset_process_rule_id": .null(),
            "doc_type": .string(description: "`txt`, `md`, `html`, `csv`, `json`, `pdf`, `docx`, or `text` when created from text"),
            "doc_form": DocSchemas.enumeration(docForms),
            "doc_language": .string(description: "The language question-and-answer pairs are written in (default `English`)"),
            "batch": .string,
            "created_from": DocSchemas.enumeration(["api", "web"], description: "`web` when a member added it, `api` when a key did"),
            "created_by": DocSchemas.nullableString,
            "created_at": .timestamp,
            "updated_at": .timestamp,
            "tokens": .integer,
            "word_count": .integer,
            "indexing_status": DocSchemas.enumeration(documentStatuses),
            "display_status": DocSchemas.enumeration(displayStatuses),
            "error": DocSchemas.nullableString,
            "enabled": .boolean,
            "disabled_at": DocSchemas.nullableTimestamp,
            "disabled_by": DocSchemas.nullableString,
            "archived": .boolean,
            "hit_count": .integer,
            "completed_segments": .integer,
            "total_segments": .integer,
            "process_rule": processRule,
            "doc_metadata": .array(
                description: "Its metadata values (an empty list where a document is answered without its dataset's fields)",
                items: documentMetadataValue
            ),
        ]
    )

    /// A document's source as `data_source_detail_dict.upload_file` (`DatasetJSON.document`) shows it.
    static let uploadFile: JSONSchema = .object(
        properties: [
            "id": .uuid.with(description: "The document's own id"),
            "name": .string,
            "size": .integer(description: "In bytes"),
            "extension": .string(description: "`txt` for a document created from text"),
            "mime_type": .string,
            "created_by": DocSchemas.nullableString,
            "created_at": .timestamp,
        ]
    )

    /// `DatasetJSON.documentDetail`: one document as `GET …/documents/{document_id}` answers it, by its `metadata`
    /// parameter. `all` and `without` add to the document (whose `data_source_info` is then `data_source_detail_dict`)
    /// its rule, segment count, average segment length and timing; `without` leaves out `doc_type` and `doc_metadata`;
    /// `only` is the id, type and metadata alone.
    static let documentDetail: JSONSchema = {
        var detail = document
        if case .object(let core, let object) = detail.value {
            var properties = object.properties
            properties["data_source_info"] = JSONSchema.object(properties: ["upload_file": uploadFile])
                .with(description: "As Dify's detail shows it: `data_source_detail_dict`, the upload file's details under `upload_file`")
            properties["doc_type"] = properties["doc_type"]?.optional
            properties["doc_metadata"] = properties["doc_metadata"]?.with(description: "Absent for `metadata=without`").optional
            properties["document_process_rule"] = processRule
            properties["dataset_process_rule"] = .null()
            properties["segment_count"] = .integer
            properties["average_segment_length"] = .integer(description: "Words per segment, rounded down; 0 without segments")
            properties["completed_at"] = DocSchemas.nullableTimestamp
            properties["indexing_latency"] = .number(nullable: true, description: "Seconds from the start of indexing to its end; `null` until then")
            detail = .object(core, .init(properties: properties, additionalProperties: object.additionalProperties))
        }
        let only: JSONSchema = .object(
            description: "`metadata=only`", properties: ["id": .uuid, "doc_type": .string, "doc_metadata": .array(items: documentMetadataValue)]
        )
        return .any(
            of: [detail.with(description: "`metadata=all` (the default) or `without`"), only],
            core: .init(description: "By the `metadata` parameter")
        )
    }()

    /// `DatasetJSON.indexingStatus`.
    static let indexingStatus: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "indexing_status": DocSchemas.enumeration(documentStatuses),
            "processing_started_at": DocSchemas.nullableTimestamp,
            "parsing_completed_at": DocSchemas.nullableTimestamp,
            "cleaning_completed_at": DocSchemas.nullableTimestamp,
            "splitting_completed_at": DocSchemas.nullableTimestamp,
            "completed_at": DocSchemas.nullableTimestamp,
            "paused_at": DocSchemas.nullableTimestamp,
            "stopped_at": DocSchemas.nullableTimestamp,
            "error": DocSchemas.nullableString,
            "completed_segments": .integer,
            "total_segments": .integer,
        ]
    )

    /// `DatasetJSON.segment`; `document` only in a retrieval record.
    static func segment(withDocument: Bool = false) -> JSONSchema {
        var properties: OrderedDictionary<String, JSONSchema> = [
            "id": .uuid,
            "position": .integer,
            "document_id": .uuid,
            "content": .string,
            "answer": DocSchemas.nullableString,
            "word_count": .integer,
            "tokens": .integer,
            "keywords": .array(items: .string),
            "index_node_id": .string,
            "index_node_hash": .string,
            "hit_count": .integer,
            "enabled": .boolean,
            "status": DocSchemas.enumeration(["completed"]),
            "created_by": DocSchemas.nullableString,
            "updated_by": DocSchemas.nullableString,
            "created_at": .timestamp,
            "updated_at": .timestamp,
            "indexing_at": .timestamp,
            "completed_at": .timestamp,
            "error": DocSchemas.nullableString,
            "stopped_at": .null(),
            "disabled_at": DocSchemas.nullableTimestamp,
            "disabled_by": DocSchemas.nullableString,
            "sign_content": .string(description: "The content again, as Dify sends it"),
            "child_chunks": .array(
                description: withDocument
                    ? "Empty: a record's matching children are its own `child_chunks`"
                    : "Its children, in a paragraph-mode hierarchical_model document; empty otherwise",
                items: childChunk
            ),
            "attachments": .array(description: "Always empty", maxItems: 0, items: .anyValue),
        ]
        if withDocument {
            properties["document"] = .object(
                properties: [
                    "id": .uuid, "data_source_type": .string, "name": .string, "doc_type": .string,
                    "doc_metadata": .object(description: "Its metadata values by field name", additionalProperties: .b(.anyValue)),
                ]
            )
        }
        return .object(properties: properties)
    }

    /// `DatasetJSON.childChunk`: a piece of a parent segment in a hierarchical_model document.
    static let childChunk: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "segment_id": .uuid,
            "content": .string,
            "position": .integer,
            "word_count": .integer,
            "type": DocSchemas.enumeration(["automatic", "customized"], description: "Cut by indexing, or written by a user"),
            "created_at": .timestamp,
            "updated_at": .timestamp,
        ]
    )

    /// `DatasetJSON.record`: one retrieval hit.
    static let record: JSONSchema = .object(
        properties: [
            "segment": segment(withDocument: true),
            "child_chunks": .array(
                description: "The children that matched, in a hierarchical_model document; empty otherwise",
                items: .object(properties: ["id": .uuid, "content": .string, "position": .integer, "score": .number])
            ),
            "score": .number,
            "tsne_position": .null(),
            "files": .array(description: "Always empty", maxItems: 0, items: .anyValue),
        ]
    )

    /// `DatasetJSON.estimate`: what indexing a text would make.
    static let indexingEstimate: JSONSchema = .object(
        properties: [
            "total_segments": .integer,
            "preview": .array(
                description: "The first segments (up to 10)",
                items: .object(
                    properties: [
                        "content": .string,
                        "child_chunks": .array(nullable: true, description: "Its children for hierarchical_model; `null` otherwise", items: .string),
                    ]
                )
            ),
            "qa_preview": .array(
                nullable: true,
                description: "For qa_model: the pairs the workspace's default LLM writes from the first chunk; `null` otherwise",
                items: .object(properties: ["question": .string, "answer": .string])
            ),
        ]
    )

    /// `DatasetJSON.metadataList`: a dataset's own fields, each with how many documents have a value.
    static let metadataList: JSONSchema = .object(
        properties: [
            "doc_metadata": .array(
                items: .object(
                    properties: [
                        "id": .uuid, "name": .string, "type": DocSchemas.enumeration(metadataTypes),
                        "count": .integer(description: "How many of its documents have a value"),
                    ]
                )
            ),
            "built_in_field_enabled": .boolean,
        ]
    )

    /// A request's `retrieval_model` (`RetrievalRequest.check`): read over the dataset's settings. The fields it checks
    /// are typed; those it reads only when of the right type (and otherwise ignores) are described, not constrained.
    static let retrievalRequest: JSONSchema = retrievalRequestSchema(filtering: false)

    /// A search's `retrieval_model` (retrieve, hit testing): `retrievalRequest` with `metadata_filtering_conditions`.
    static let searchRetrievalRequest: JSONSchema = retrievalRequestSchema(filtering: true)

    private static func retrievalRequestSchema(filtering: Bool) -> JSONSchema {
        var properties = retrievalRequestProperties
        if filtering { properties["metadata_filtering_conditions"] = metadataFilteringConditions }
        return .object(
            required: false, nullable: true,
            description: "Search settings over the dataset's own; semantic and hybrid search need a high_quality dataset",
            properties: properties
        )
    }

    /// `MetadataFilter.Comparison`: Dify's spellings, and the ASCII ones it also reads (`!=`, `>=`, `<=`, `==`).
    static let metadataComparisons = [
        "contains", "not contains", "start with", "end with", "is", "is not", "empty", "not empty", "in", "not in", "=", "≠", ">", "<",
        "≥", "≤", "before", "after", "!=", ">=", "<=", "==",
    ]

    /// `MetadataFilter.parse`: which documents a search may return, by their metadata values (custom fields and, when
    /// the dataset shows them, the built-in ones, by name).
    static let metadataFilteringConditions: JSONSchema = .object(
        required: false, nullable: true,
        description: "Only documents whose metadata pass; `null` or no conditions filters nothing",
        properties: [
            "logical_operator": .string(
                required: false, nullable: true, description: "`and` (the default) or `or`, in any case; anything else is 400"
            ),
            "conditions": .array(
                required: false, nullable: true, maxItems: 100,
                items: .object(
                    properties: [
                        "name": .string(description: "A metadata field's name", minLength: 1),
                        "comparison_operator": DocSchemas.enumeration(metadataComparisons),
                        "value": .fragment(
                            required: false,
                            description:
                                "A string or a number (a list of them for `in` and `not in`); absent or `null` skips the condition, and `empty` and `not empty` take none"
                        ),
                    ]
                )
            ),
        ]
    )

    private static let retrievalRequestProperties: OrderedDictionary<String, JSONSchema> = [
        "search_method": DocSchemas.enumeration(searchMethods, nullable: true).optional,
        "top_k": .integer(required: false, nullable: true, maximum: (100, exclusive: false), minimum: (1, exclusive: false)),
        "score_threshold": .number(required: false, nullable: true, maximum: (1, exclusive: false), minimum: (0, exclusive: false)),
        "score_threshold_enabled": DocSchemas.lenient("A boolean"),
        "reranking_enable": DocSchemas.lenient("A boolean; `true` needs `reranking_model`"),
        "reranking_model": DocSchemas.lenient(
            "An object `{reranking_provider_name, reranking_model_name}`, both non-empty strings"
        ),
        "weights": DocSchemas.lenient(
            "An object `{semantic_weight, keyword_weight}`: numbers, 0 or more, not both 0 (400 otherwise)"
        ),
    ]

    /// A request's `process_rule` (`ProcessRule.from`): automatic unless `mode` is `custom` or `hierarchical`. As
    /// above, what it reads only when of the right type is described, not constrained.
    static let processRuleRequest: JSONSchema = .object(
        required: false, nullable: true,
        description: "How the text is cleaned and split; automatic unless `mode` is `custom` or `hierarchical`",
        properties: [
            "mode": .one(
                of: [DocSchemas.enumeration(["automatic", "custom", "hierarchical"]), .not(.string)],
                core: .init(
                    required: false,
                    description:
                        "`automatic` (the default), `custom`, or `hierarchical` (parent-child chunks: hierarchical_model documents only); a value that is not a string is read as `automatic`"
                )
            ),
            "rules": DocSchemas.lenient(
                """
                An object: `pre_processing_rules` (`[{id: remove_extra_spaces | remove_urls_emails, enabled}]`), `segmentation` \
                (`{separator` (not empty), `max_tokens` (50 to 4000, default 500, or 1024 for hierarchical), `chunk_overlap` (0 or \
                more, below max_tokens)`}`); for hierarchical also `parent_mode` (`paragraph`, the default, or `full-doc`) and \
                `subchunk_segmentation` (as `segmentation`; by default lines of up to 512 tokens, no overlap; its max_tokens not above \
                the parents' in paragraph mode)
                """
            ),
        ]
    )

    /// `{"document": document, "batch"}`: the answer to adding or replacing a document.
    static let documentAndBatch: JSONSchema = .object(properties: ["document": document, "batch": .string])

    static let datasetIDParameter: OpenAPI.Parameter = .pathID("dataset_id")
    static let documentIDParameter: OpenAPI.Parameter = .pathID("document_id")
}
