import OpenAPIKit

/// The bodies `DatasetJSON` renders (datasets, documents, segments, tags, retrieval records) and the request pieces
/// the dataset routes share.
extension KnowledgeAPIDocumentation {
    static let searchMethods = ["semantic_search", "full_text_search", "hybrid_search", "keyword_search"]
    static let documentStatuses = ["waiting", "parsing", "cleaning", "splitting", "indexing", "completed", "error", "paused"]

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
        ]
    )

    /// `DatasetJSON.processRule`.
    static let processRule: JSONSchema = .object(
        properties: [
            "mode": DocSchemas.enumeration(["automatic", "custom"]),
            "rules": .object(
                properties: [
                    "pre_processing_rules": .array(items: .object(properties: ["id": .string, "enabled": .boolean])),
                    "segmentation": .object(properties: ["separator": .string, "max_tokens": .integer, "chunk_overlap": .integer]),
                ]
            ),
        ]
    )

    /// `DatasetJSON.document`.
    static let document: JSONSchema = .object(
        properties: [
            "id": .uuid,
            "position": .integer,
            "name": .string,
            "data_source_type": .string,
            "data_source_info": .object(properties: ["upload_file_name": .string]),
            "doc_type": .string(description: "`txt`, `md`, `html`, `csv`, `json`, `pdf`, `docx`, or `text` when created from text"),
            "doc_form": DocSchemas.enumeration(["text_model"]),
            "batch": .string,
            "created_from": DocSchemas.enumeration(["api"]),
            "created_by": DocSchemas.nullableString,
            "created_at": .timestamp,
            "updated_at": .timestamp,
            "tokens": .integer,
            "word_count": .integer,
            "indexing_status": DocSchemas.enumeration(documentStatuses),
            "display_status": DocSchemas.enumeration(["queuing", "paused", "error", "available", "disabled", "indexing"]),
            "error": DocSchemas.nullableString,
            "enabled": .boolean,
            "archived": .boolean,
            "hit_count": .integer,
            "completed_segments": .integer,
            "total_segments": .integer,
            "process_rule": processRule,
        ]
    )

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
            "created_at": .timestamp,
            "updated_at": .timestamp,
            "indexing_at": .timestamp,
            "completed_at": .timestamp,
            "error": DocSchemas.nullableString,
            "disabled_at": DocSchemas.nullableTimestamp,
        ]
        if withDocument {
            properties["document"] = .object(properties: ["id": .uuid, "data_source_type": .string, "name": .string])
        }
        return .object(properties: properties)
    }

    /// `DatasetJSON.record`: one retrieval hit.
    static let record: JSONSchema = .object(
        properties: [
            "segment": segment(withDocument: true),
            "score": .number,
            "tsne_position": .null(),
        ]
    )

    /// A request's `retrieval_model` (`RetrievalRequest.check`): read over the dataset's settings. The fields it checks
    /// are typed; those it reads only when of the right type (and otherwise ignores) are described, not constrained.
    static let retrievalRequest: JSONSchema = .object(
        required: false, nullable: true,
        description: "Search settings over the dataset's own; semantic and hybrid search need a high_quality dataset",
        properties: [
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
    )

    /// A request's `process_rule` (`ProcessRule.from`): automatic unless `mode` is `custom`. As above, what it reads
    /// only when of the right type is described, not constrained.
    static let processRuleRequest: JSONSchema = .object(
        required: false, nullable: true,
        description: "How the text is cleaned and split; automatic unless `mode` is `custom`",
        properties: [
            "mode": .one(
                of: [DocSchemas.enumeration(["automatic", "custom", "hierarchical"]), .not(.string)],
                core: .init(
                    required: false,
                    description: "`automatic` (the default), `custom`, or `hierarchical` (read as `automatic`); a value that is not a string is read as `automatic`"
                )
            ),
            "rules": DocSchemas.lenient(
                """
                An object: `pre_processing_rules` (`[{id: remove_extra_spaces | remove_urls_emails, enabled}]`), `segmentation` \
                (`{separator` (not empty), `max_tokens` (50 to 4000, default 500), `chunk_overlap` (0 or more, below max_tokens)`}`)
                """
            ),
        ]
    )

    /// `{"document": document, "batch"}`: the answer to adding or replacing a document.
    static let documentAndBatch: JSONSchema = .object(properties: ["document": document, "batch": .string])

    static let datasetIDParameter: OpenAPI.Parameter = .pathID("dataset_id")
    static let documentIDParameter: OpenAPI.Parameter = .pathID("document_id")
}
